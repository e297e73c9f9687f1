"""The probe and extract stages: each track checked as media, then decoded to the 16 kHz
mono WAV the engines hear, which is kept in storage as the track's audio download."""

import asyncio
from pathlib import Path

from reflector.infra.job_errors import PermanentJobError
from reflector.infra.storage import audio_key
from reflector.infra.streams import file_chunks
from reflector.recordings.pipeline import media
from reflector.recordings.pipeline.work import Told, Work

# 16-bit mono, 115 MB an hour: extraction stops at RECORDING_MAX_SECONDS.
_WAV_BYTES_PER_SECOND = 2 * media.SAMPLE_RATE
_WAV_HEADER_BYTES = 44


async def probe_tracks(work: Work, told: Told) -> None:
    limit = work.ctx.config.settings.RECORDING_MAX_SECONDS
    most = work.ctx.config.settings.RECORDING_MAX_TRACKS
    if len(work.tracks) > most:
        raise PermanentJobError(
            f"it has {len(work.tracks)} tracks, more than the limit of {most} "
            "(RECORDING_MAX_TRACKS)"
        )
    work.probed = []
    for index, track in enumerate(work.tracks):
        if track.key is None:
            raise PermanentJobError(f"track {index + 1} is not in storage")
        async with work.ctx.storage.local_path(track.key) as path:
            work.probed.append(await asyncio.to_thread(media.probe, path, limit))
        told((index + 1) / len(work.tracks))
    # Known from the probe on; the decoded length is the final word.
    work.duration = (
        max(
            track.offset_seconds + probed.duration
            for track, probed in zip(work.tracks, work.probed, strict=True)
        )
        if work.tracks
        else 0.0
    )


async def extract_tracks(work: Work, told: Told) -> None:
    settings = work.ctx.config.settings
    work.wavs, work.duration = [], 0.0
    count = len(work.tracks)
    for index, (track, probed) in enumerate(zip(work.tracks, work.probed, strict=True)):
        if track.key is None:
            raise PermanentJobError(f"track {index + 1} is not in storage")
        wav = work.scratch / f"track-{index}.wav"

        def decoded(seconds: float, index: int = index, length: float = probed.duration) -> None:
            told((index + min(1.0, seconds / length)) / count)

        async with work.ctx.storage.local_path(track.key) as path:
            seconds = await asyncio.to_thread(
                media.extract_audio, path, wav, settings.RECORDING_MAX_SECONDS, decoded
            )
        work.duration = max(work.duration, track.offset_seconds + seconds)
        work.wavs.append(wav)
        stored = await work.ctx.storage.put(
            audio_key(work.recording_id, index),
            file_chunks(Path(wav)),
            # A second's batch more than the limit at most: extraction stopped past it.
            int((settings.RECORDING_MAX_SECONDS + 2) * _WAV_BYTES_PER_SECOND) + _WAV_HEADER_BYTES,
        )
        work.tracks[index] = track.model_copy(
            update={"audio_key": stored.key, "audio_size": stored.size}
        )
        told((index + 1) / count)
