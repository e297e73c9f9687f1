"""Cutting a track into pieces of speech, so that pieces are transcribed side by side.

Speech is found with Silero VAD (bundled with faster-whisper), block by block, so that a long
track is never held in memory as floats at once. A piece is a run of speech spans, read as
their audio with a short silence between each two: the pauses between spans cost nothing and
are never heard as words. What an engine hears in a piece is put back on the track's time
span by span, so a piece's words land where they were said, and pieces, which never share a
span, lose and double nothing.
"""

import bisect
import itertools
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from reflector.recordings.pipeline.engines.base import Samples, Segment, Word
from reflector.recordings.pipeline.media import SAMPLE_RATE

# Speech in a track's first piece, which tells the track's language when none is set.
FIRST_PIECE_SECONDS = 30.0
# Speech in each later piece: long enough that Whisper's 30 s windows are full, short
# enough that the cores share a track and the progress bar moves.
PIECE_SECONDS = 180.0
# Silence put between two spans of a piece, so that the engine hears them apart.
GAP_SECONDS = 0.5
_GAP = int(GAP_SECONDS * SAMPLE_RATE)
_BLOCK_SECONDS = 300


@dataclass(frozen=True)
class Span:
    """Samples `start` to `end` of a track."""

    start: int
    end: int

    @property
    def samples(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Piece:
    spans: tuple[Span, ...]

    @property
    def speech(self) -> int:
        return sum(span.samples for span in self.spans)

    def placed(self, segments: tuple[Segment, ...]) -> list[Segment]:
        """Segments heard in the piece's audio, on the track's time. A segment whose words
        fall in two spans is cut in two: no segment runs across a pause."""
        placed: list[Segment] = []
        for segment in segments:
            if not segment.words:
                start, end = self._time(segment.start, False), self._time(segment.end, True)
                placed.append(Segment(start, max(start, end), segment.text))
                continue
            located = [(index, self._word(index, word)) for index, word in self._spans_of(segment)]
            for _, group in itertools.groupby(located, key=lambda found: found[0]):
                words = tuple(word for _, word in group)
                text = "".join(word.text for word in words).strip()
                placed.append(Segment(words[0].start, words[-1].end, text, words))
        return placed

    def _spans_of(self, segment: Segment) -> list[tuple[int, Word]]:
        # A word belongs to the span its middle is in: a word stretched over a gap (an
        # engine's timing of the first word after a pause) is pulled into its span.
        return [(self._span_at((w.start + w.end) / 2), w) for w in segment.words]

    def _word(self, index: int, word: Word) -> Word:
        return Word(self._on(index, word.start), self._on(index, word.end), word.text)

    def _time(self, heard: float, is_end: bool) -> float:
        index = self._span_at(heard)
        if is_end and heard < self._starts[index] / SAMPLE_RATE and index > 0:
            index -= 1
        return self._on(index, heard)

    def _span_at(self, heard: float) -> int:
        """The span heard at `heard` seconds into the piece's audio, or the next one if
        that is a gap."""
        sample = heard * SAMPLE_RATE
        ends = [start + span.samples for start, span in zip(self._starts, self.spans, strict=True)]
        return min(bisect.bisect_left(ends, sample), len(self.spans) - 1)

    def _on(self, index: int, heard: float) -> float:
        """`heard` seconds into the piece's audio as seconds into the track, within span
        `index`."""
        span = self.spans[index]
        sample = span.start + heard * SAMPLE_RATE - self._starts[index]
        return round(min(max(sample, span.start), span.end) / SAMPLE_RATE, 3)

    @property
    def _starts(self) -> list[int]:
        """Where each span starts in the piece's audio."""
        starts, at = [], 0
        for span in self.spans:
            starts.append(at)
            at += span.samples + _GAP
        return starts


def speech_spans(wav: Path, longest_seconds: float = PIECE_SECONDS) -> list[Span]:
    """Where the track speaks; a span longer than `longest_seconds` is split at a short
    pause within it."""
    options = VadOptions(max_speech_duration_s=longest_seconds)
    spans: list[Span] = []
    for begin, block in _blocks(wav):
        for found in get_speech_timestamps(block, options):
            span = Span(begin + found["start"], begin + found["end"])
            if spans and spans[-1].end >= begin and span.start <= begin:
                span = Span(spans.pop().start, span.end)  # one span cut by the block's edge
            spans.append(span)
    return spans


def cut(
    spans: list[Span],
    first_seconds: float = FIRST_PIECE_SECONDS,
    later_seconds: float = PIECE_SECONDS,
) -> list[Piece]:
    """The spans, in order, grouped into pieces of about `first_seconds`, then
    `later_seconds`, of speech each."""
    pieces: list[Piece] = []
    current: list[Span] = []
    for span in spans:
        limit = (later_seconds if pieces else first_seconds) * SAMPLE_RATE
        if current and sum(s.samples for s in current) + span.samples > limit:
            pieces.append(Piece(tuple(current)))
            current = []
        current.append(span)
    if current:
        pieces.append(Piece(tuple(current)))
    return pieces


def read(wav: Path, piece: Piece) -> Samples:
    """The piece's spans, each followed by a short silence."""
    gap = np.zeros(_GAP, dtype=np.float32)
    parts = []
    with wave.open(str(wav), "rb") as audio:
        for span in piece.spans:
            audio.setpos(span.start)
            parts += [_floats(audio.readframes(span.samples)), gap]
    return np.concatenate(parts)


def _blocks(wav: Path) -> Iterator[tuple[int, Samples]]:
    with wave.open(str(wav), "rb") as audio:
        begin = 0
        while frames := audio.readframes(_BLOCK_SECONDS * SAMPLE_RATE):
            block = _floats(frames)
            yield begin, block
            begin += len(block)


def _floats(frames: bytes) -> Samples:
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
