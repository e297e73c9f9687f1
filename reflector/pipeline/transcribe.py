"""Transcription backends: each turns 16 kHz mono WAV into timed segments for one speaker."""

import re
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from pocketsphinx import Decoder

from reflector.settings import Settings

FRAMES_PER_SECOND = 100
# pocketsphinx decodes one utterance at a time; long audio is cut into pieces of this length.
UTTERANCE_SECONDS = 30
PAUSE_SECONDS = 0.6
SEGMENT_SECONDS = 15.0


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    speaker: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Transcriber(Protocol):
    language: str

    def transcribe(self, wav: Path, speaker: str) -> list[Segment]: ...


@dataclass(frozen=True)
class _Word:
    text: str
    start: float
    end: float


class PocketSphinx:
    """The bundled offline default: the English model ships inside the `pocketsphinx` wheel."""

    language = "en"

    def transcribe(self, wav: Path, speaker: str) -> list[Segment]:
        words: list[_Word] = []
        with wave.open(str(wav), "rb") as audio:
            rate = audio.getframerate()
            decoder = Decoder(samprate=rate)
            offset = 0.0
            while chunk := audio.readframes(rate * UTTERANCE_SECONDS):
                decoder.start_utt()
                decoder.process_raw(chunk, full_utt=True)
                decoder.end_utt()
                words += [
                    _Word(
                        _spelling(seg.word),
                        offset + seg.start_frame / FRAMES_PER_SECOND,
                        offset + (seg.end_frame + 1) / FRAMES_PER_SECOND,
                    )
                    for seg in decoder.seg()
                    if _is_word(seg.word)
                ]
                offset += len(chunk) / 2 / rate
        return _segments(words, speaker)


def make_transcriber(settings: Settings) -> Transcriber:
    match settings.TRANSCRIPTION_BACKEND:
        case "pocketsphinx":
            return PocketSphinx()


def _is_word(token: str) -> bool:
    return not (token.startswith(("<", "[", "+")) or token in {"", "(NULL)"})


def _spelling(token: str) -> str:
    return re.sub(r"\(\d+\)$", "", token)


def _segments(words: list[_Word], speaker: str) -> list[Segment]:
    """Words joined into segments, split at pauses and at a maximum length."""
    segments: list[Segment] = []
    current: list[_Word] = []
    for word in words:
        if current and (
            word.start - current[-1].end > PAUSE_SECONDS
            or word.end - current[0].start > SEGMENT_SECONDS
        ):
            segments.append(_segment(current, speaker))
            current = []
        current.append(word)
    if current:
        segments.append(_segment(current, speaker))
    return segments


def _segment(words: list[_Word], speaker: str) -> Segment:
    text = " ".join(word.text for word in words)
    return Segment(
        start=round(words[0].start, 2), end=round(words[-1].end, 2), speaker=speaker, text=text
    )
