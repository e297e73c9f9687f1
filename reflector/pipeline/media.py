"""Probing media and extracting its audio with PyAV, from local files only.

Only the `file` protocol is allowed and playlist-like demuxers are refused, so a crafted
"video" cannot make FFmpeg read other files or the network (reference/reliability.md B5).
"""

import wave
from dataclasses import dataclass
from pathlib import Path

import av

from reflector.jobs import PermanentJobError

SAMPLE_RATE = 16000
_OPTIONS = {"protocol_whitelist": "file"}
_REFUSED_FORMATS = frozenset({"hls", "concat", "ffconcat", "dash", "rtsp", "sdp", "image2"})


class NotMedia(PermanentJobError):
    """The file is not media we can use: not decodable, truncated, no audio, too long."""


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    format: str


def probe(path: Path, max_seconds: float) -> MediaInfo:
    try:
        with av.open(str(path), options=_OPTIONS) as container:
            name = container.format.name
            if set(name.split(",")) & _REFUSED_FORMATS:
                raise NotMedia(f"refused container format {name!r}")
            if not container.streams.audio:
                raise NotMedia("the file has no audio track")
            duration = _duration(container)
    except av.error.FFmpegError as exc:
        raise NotMedia(f"not readable media: {exc}") from exc
    if duration <= 0:
        raise NotMedia("the file has no duration")
    if duration > max_seconds:
        raise NotMedia(f"longer than the limit of {max_seconds:.0f} s ({duration:.0f} s)")
    return MediaInfo(duration=duration, format=name)


def extract_audio(path: Path, target: Path) -> float:
    """Decode the first audio track to 16 kHz mono 16-bit WAV at `target`; returns seconds."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    samples = 0

    def write(frames: list[av.AudioFrame], out: wave.Wave_write) -> int:
        for resampled in frames:
            out.writeframes(bytes(resampled.planes[0])[: resampled.samples * 2])
        return sum(resampled.samples for resampled in frames)

    try:
        with av.open(str(path), options=_OPTIONS) as container, wave.open(str(target), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            for frame in container.decode(container.streams.audio[0]):
                samples += write(resampler.resample(frame), out)
            samples += write(resampler.resample(None), out)
    except av.error.FFmpegError as exc:
        raise NotMedia(f"the audio could not be decoded (truncated or corrupt): {exc}") from exc
    if samples == 0:
        raise NotMedia("the audio track is empty")
    return samples / SAMPLE_RATE


def _duration(container: av.container.InputContainer) -> float:
    if container.duration is not None:
        return float(container.duration) / av.time_base
    stream = container.streams.audio[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return 0.0
