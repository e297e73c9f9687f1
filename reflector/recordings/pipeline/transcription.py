"""Transcribing a recording's tracks: every piece of every track side by side, as many at
once as the engine does best, then each track's pieces put back in order.

Unless `TRANSCRIPTION_LANGUAGE` is set, a track's first piece is transcribed first and the
language it is in is the track's: its later pieces are transcribed in it, as Whisper itself
carries the language it detected in the first 30 s through a whole file.
"""

import asyncio
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from reflector.recordings.pipeline import engines, pieces
from reflector.recordings.pipeline.engines import Engine
from reflector.recordings.pipeline.engines.base import Segment, Transcription
from reflector.recordings.pipeline.pieces import Piece
from reflector.recordings.pipeline.work import Told, Work

# Finding speech costs a few percent of transcribing it: its share of the stage's progress.
_FINDING_SPEECH = 0.03


class Stopped(Exception):
    """The job stopped (its lease was lost): pieces not started yet are not transcribed."""


def find_speech(wavs: Sequence[Path]) -> list[list[Piece]]:
    """Each track cut into pieces of speech; no pieces for a track in which nobody speaks."""
    with ThreadPoolExecutor(min(len(wavs), os.cpu_count() or 1) or 1) as pool:
        return [pieces.cut(spans) for spans in pool.map(pieces.speech_spans, wavs)]


def transcribe_tracks(
    engine: Engine,
    wavs: Sequence[Path],
    cut: list[list[Piece]],
    language: str | None,
    told: Callable[[float], None],
    stop: threading.Event,
) -> list[Transcription | None]:
    """Each track's transcription, None for a track in which nobody speaks."""
    progress = _Progress(cut, told)

    def run(track: int, index: int, language: str | None) -> Transcription:
        if stop.is_set():
            raise Stopped
        piece = cut[track][index]
        audio = pieces.read(wavs[track], piece)
        heard = engine.transcribe(
            audio, language, lambda fraction: progress.piece(track, index, fraction)
        )
        progress.piece(track, index, 1.0)
        return heard

    with ThreadPoolExecutor(engine.parallelism, thread_name_prefix="transcribe") as pool:
        results: dict[tuple[int, int], Future[Transcription]] = {}
        languages = [language] * len(wavs)
        try:
            if language is None:
                for track in (t for t in range(len(wavs)) if cut[t]):
                    results[track, 0] = pool.submit(run, track, 0, None)
                for (track, _), first in results.items():
                    languages[track] = first.result().language
            for track, track_pieces in enumerate(cut):
                for index in range(len(track_pieces)):
                    if (track, index) not in results:
                        results[track, index] = pool.submit(run, track, index, languages[track])
            heard = {place: future.result() for place, future in results.items()}
        except BaseException:
            stop.set()
            raise
    return [_stitched(cut[track], heard, track) for track in range(len(wavs))]


def _stitched(
    track_pieces: list[Piece], heard: dict[tuple[int, int], Transcription], track: int
) -> Transcription | None:
    if not track_pieces:
        return None
    parts = [heard[track, index] for index in range(len(track_pieces))]
    segments: list[Segment] = [
        segment
        for piece, part in zip(track_pieces, parts, strict=True)
        for segment in piece.placed(part.segments)
    ]
    first = parts[0]
    return Transcription(first.language, first.engine, first.model, tuple(segments))


class _Progress:
    """The stage's progress over all pieces, each weighed by its length, told from threads."""

    def __init__(self, cut: list[list[Piece]], told: Callable[[float], None]) -> None:
        self._weights = {
            (track, index): piece.speech
            for track, track_pieces in enumerate(cut)
            for index, piece in enumerate(track_pieces)
        }
        self._total = sum(self._weights.values()) or 1
        self._done: dict[tuple[int, int], float] = {}
        self._lock = threading.Lock()
        self._told = told

    def piece(self, track: int, index: int, fraction: float) -> None:
        with self._lock:
            self._done[track, index] = fraction
            done = sum(self._weights[place] * f for place, f in self._done.items())
            # Told under the lock, so that the bar never moves back.
            self._told(_FINDING_SPEECH + (1 - _FINDING_SPEECH) * done / self._total)


async def transcribe(work: Work, told: Told) -> None:
    """The transcribe stage. Speech is found first, so that a recording in which nobody
    speaks never waits for a model; the engine is loaded once per process, off the event
    loop, so that the job keeps its lease however long a model takes to load."""
    settings = work.ctx.config.settings
    cut = await asyncio.to_thread(find_speech, work.wavs)
    told(_FINDING_SPEECH)
    if not any(cut):
        work.heard = [None] * len(work.wavs)
        return
    engine = await asyncio.to_thread(engines.loaded, settings)
    work.engine, work.model = engine.name, engine.model
    try:
        work.heard = await asyncio.to_thread(
            transcribe_tracks,
            engine,
            work.wavs,
            cut,
            settings.TRANSCRIPTION_LANGUAGE,
            told,
            work.stop,
        )
    except asyncio.CancelledError:
        work.stop.set()
        raise
