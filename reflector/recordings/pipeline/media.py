"""Probing media and extracting its audio with PyAV, from local files only.

Only the `file` protocol is allowed and playlist-like demuxers are refused, so a crafted
"video" cannot make FFmpeg read other files or the network.
"""

import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av

from reflector.infra.storage import NotMedia

SAMPLE_RATE = 16000
_OPTIONS = {"protocol_whitelist": "file"}
_REFUSED_FORMATS = frozenset({"hls", "concat", "ffconcat", "dash", "rtsp", "sdp", "image2"})


# Told how far some work has come (seconds, or a fraction), from the thread doing it.
Progress = Callable[[float], None]


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


def extract_audio(
    path: Path, target: Path, max_seconds: float, on_progress: Progress | None = None
) -> float:
    """Decode the first audio track to 16 kHz mono 16-bit WAV at `target`; returns seconds.
    `on_progress` is told the seconds decoded so far, about once per second of audio.

    The length is counted as it decodes, not taken from the file's header, which may lie
    (a header saying 1 s over 10 minutes of FLAC): decoding stops past `max_seconds`, which
    also bounds the WAV written (115 MB an hour).

    Decoded frames are gathered into about a second of audio per resampler call: PyAV's
    resampler costs as much per call as FFmpeg spends decoding a frame.
    """
    try:
        with av.open(str(path), options=_OPTIONS) as container, wave.open(str(target), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            batch = _Batch(out)
            for frame in container.decode(container.streams.audio[0]):
                if batch.add(frame) and on_progress is not None:
                    on_progress(batch.written / SAMPLE_RATE)
                if batch.written > max_seconds * SAMPLE_RATE:
                    raise NotMedia(
                        f"longer than the limit of {max_seconds:.0f} s once decoded "
                        "(its header said less)"
                    )
            batch.finish()
    except av.error.FFmpegError as exc:
        raise NotMedia(f"the audio could not be decoded (truncated or corrupt): {exc}") from exc
    if batch.written == 0:
        raise NotMedia("the audio track is empty")
    return batch.written / SAMPLE_RATE


class _Batch:
    def __init__(self, out: wave.Wave_write) -> None:
        self._out = out
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        self._first: av.AudioFrame | None = None
        self._planes: list[bytearray] = []
        self._samples = 0
        self.written = 0

    def add(self, frame: av.AudioFrame) -> bool:
        """Gather a frame; True when that wrote a batch out."""
        first = self._first
        if first is not None and (
            frame.format.name != first.format.name
            or frame.layout.name != first.layout.name
            or frame.sample_rate != first.sample_rate
        ):
            self._flush()
            first = None
        if first is None:
            self._first = first = frame
            self._planes = [bytearray() for _ in frame.planes]
        channels = 1 if frame.format.is_planar else len(frame.layout.channels)
        size = frame.samples * frame.format.bytes * channels
        for gathered, plane in zip(self._planes, frame.planes, strict=True):
            gathered += memoryview(plane)[:size]
        self._samples += frame.samples
        if self._samples >= first.sample_rate:
            self._flush()
            return True
        return False

    def finish(self) -> None:
        self._flush()
        self._write(self._resampler.resample(None))

    def _flush(self) -> None:
        first = self._first
        if first is None or self._samples == 0:
            return
        batch = av.AudioFrame(
            format=first.format.name, layout=first.layout.name, samples=self._samples
        )
        batch.sample_rate = first.sample_rate
        for plane, gathered in zip(batch.planes, self._planes, strict=True):
            plane.update(bytes(gathered))
        self._write(self._resampler.resample(batch))
        self._planes = [bytearray() for _ in self._planes]
        self._samples = 0

    def _write(self, frames: list[av.AudioFrame]) -> None:
        for frame in frames:
            self._out.writeframes(memoryview(frame.planes[0])[: frame.samples * 2])
            self.written += frame.samples


def _duration(container: av.container.InputContainer) -> float:
    if container.duration is not None:
        return float(container.duration) / av.time_base
    stream = container.streams.audio[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return 0.0
