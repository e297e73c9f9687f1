"""Transcription backends: each turns 16 kHz mono WAV into timed segments for one speaker."""

import importlib.util
import re
import wave
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import httpx
from pocketsphinx import Decoder

from reflector.core_settings import Settings
from reflector.job_errors import PermanentJobError, TransientJobError
from reflector.pipeline.media import Progress

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

    def shifted(self, seconds: float) -> "Segment":
        """The segment placed `seconds` later (a track that started into the recording)."""
        return replace(self, start=self.start + seconds, end=self.end + seconds)


class Transcriber(Protocol):
    language: str

    def transcribe(
        self, wav: Path, speaker: str, on_progress: Progress | None = None
    ) -> list[Segment]:
        """The segments of `wav`; `on_progress`, if given, is told the fraction done."""
        ...


@dataclass(frozen=True)
class _Word:
    text: str
    start: float
    end: float


class PocketSphinx:
    """The bundled offline default: the English model ships inside the `pocketsphinx` wheel."""

    language = "en"

    def transcribe(
        self, wav: Path, speaker: str, on_progress: Progress | None = None
    ) -> list[Segment]:
        words: list[_Word] = []
        with wave.open(str(wav), "rb") as audio:
            rate = audio.getframerate()
            total = max(1, audio.getnframes())
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
                if on_progress is not None:
                    on_progress(min(1.0, offset * rate / total))
        return _segments(words, speaker)


class FasterWhisper:
    """faster-whisper on the CPU (the optional `whisper` extra); the model is never fetched by
    tests: `TRANSCRIPTION_MODEL` names a downloaded model or a local directory."""

    language = "auto"

    def __init__(self, model: str) -> None:
        # Imported here: faster-whisper is an optional extra, needed only when chosen.
        from faster_whisper import WhisperModel

        self._model = WhisperModel(model, device="cpu", compute_type="int8")

    def transcribe(
        self, wav: Path, speaker: str, on_progress: Progress | None = None
    ) -> list[Segment]:
        found, info = self._model.transcribe(str(wav))
        segments = []
        for s in found:  # a generator: the model works as it is read
            if s.text.strip():
                segments.append(
                    Segment(round(s.start, 2), round(s.end, 2), speaker, s.text.strip())
                )
            if on_progress is not None and info.duration:
                on_progress(min(1.0, s.end / info.duration))
        return segments


class OpenAICompatible:
    """Any server offering OpenAI's `POST /v1/audio/transcriptions` (verbose_json segments)."""

    language = "auto"

    def __init__(self, base_url: str, model: str, api_key: str | None) -> None:
        self._url = base_url.rstrip("/") + "/v1/audio/transcriptions"
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def transcribe(
        self, wav: Path, speaker: str, on_progress: Progress | None = None
    ) -> list[Segment]:
        """One request for the whole file: no progress to tell until it is done."""
        data = {"model": self._model, "response_format": "verbose_json"}
        try:
            with wav.open("rb") as audio:
                response = httpx.post(
                    self._url,
                    data=data,
                    files={"file": ("audio.wav", audio, "audio/wav")},
                    headers=self._headers,
                    timeout=httpx.Timeout(600.0, connect=10.0),
                )
        except httpx.HTTPError as exc:
            raise TransientJobError(f"transcription service unreachable: {exc}") from exc
        if response.status_code in (408, 429) or response.status_code >= 500:
            raise TransientJobError(f"transcription service answered {response.status_code}")
        if response.status_code != 200:
            raise PermanentJobError(
                f"transcription service refused the audio ({response.status_code}): "
                f"{response.text[:200]}"
            )
        body = response.json()
        segments = body.get("segments") or [
            {"start": 0.0, "end": 0.0, "text": body.get("text", "")}
        ]
        return [
            Segment(
                round(float(s["start"]), 2),
                round(float(s["end"]), 2),
                speaker,
                str(s["text"]).strip(),
            )
            for s in segments
            if str(s.get("text", "")).strip()
        ]


def transcription_problems(settings: Settings) -> list[str]:
    """What stops the chosen backend from working, each naming the setting to fix."""
    match settings.TRANSCRIPTION_BACKEND:
        case "pocketsphinx":
            return []
        case "whisper":
            problems = (
                []
                if settings.TRANSCRIPTION_MODEL
                else ["TRANSCRIPTION_MODEL: required for whisper"]
            )
            if importlib.util.find_spec("faster_whisper") is None:
                problems.append(
                    "TRANSCRIPTION_BACKEND: whisper needs the faster-whisper package "
                    "(pip install 'reflector[whisper]')"
                )
            return problems
        case "openai":
            return [
                f"{name}: required for openai"
                for name in ("TRANSCRIPTION_API_URL", "TRANSCRIPTION_MODEL")
                if not getattr(settings, name)
            ]


def make_transcriber(settings: Settings) -> Transcriber:
    match settings.TRANSCRIPTION_BACKEND:
        case "pocketsphinx":
            return PocketSphinx()
        case "whisper":
            return FasterWhisper(settings.TRANSCRIPTION_MODEL or "")
        case "openai":
            key = settings.TRANSCRIPTION_API_KEY
            return OpenAICompatible(
                settings.TRANSCRIPTION_API_URL or "",
                settings.TRANSCRIPTION_MODEL or "",
                key.get_secret_value() if key else None,
            )


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
