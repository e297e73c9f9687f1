"""Transcribing a two-track meeting: the real pipeline in a real worker against bare
faster-whisper.

The meeting is built from real speech, the LibriVox utterances of Debian's
pocketsphinx-testdata: turns alternate between two participants, with pauses, so that each
track is about half speech, and each track is encoded as Opus in WebM as Daily's raw tracks
are. Both are uploaded as one recording to the service (running in this process), and one
`reflector worker --queues transcription` processes it. Printed: wall time over the meeting's
length and each stage's part of it, the worker's peak RSS, and the word error rate against
what was said. Then, in the same run, faster-whisper with the same model and its default
options transcribes the two tracks one after the other.

    .venv/bin/python bench/transcribe.py [--minutes 60] [--model base]
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import jiwer
import numpy as np
from faster_whisper import WhisperModel

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from reflector.app import create_app  # noqa: E402
from reflector.config.loading import Config  # noqa: E402
from reflector.config.settings import Settings  # noqa: E402
from reflector.db.migrate import upgrade  # noqa: E402
from reflector.recordings.pipeline.engines import whisper_models  # noqa: E402
from reflector.recordings.pipeline.media import SAMPLE_RATE  # noqa: E402
from reflector.video_platforms.mock import MockSettings  # noqa: E402
from tests.media import librivox, normalised  # noqa: E402
from tests.support import api_key_headers, new_meeting, platform_settings  # noqa: E402

RATE = SAMPLE_RATE
SPEAKERS = ("ada", "bo")


@dataclass
class Meeting:
    seconds: float
    tracks: list[Path] = field(default_factory=list)
    # What each participant said, in order.
    said: list[list[str]] = field(default_factory=lambda: [[], []])
    speech: list[float] = field(default_factory=lambda: [0.0, 0.0])


def utterances() -> list[tuple[np.ndarray, str]]:
    found = []
    for wav, said in librivox():
        with wave.open(str(wav), "rb") as source:
            samples = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
        found.append((samples, said))
    return found


def turns(lengths: list[int], total: int) -> Iterator[tuple[int, int, int]]:
    """(speaker, utterance, start sample): turns of one to three utterances, alternating.
    No utterance follows itself: the same recording twice in a row is nothing people say."""
    rng = np.random.default_rng(20)
    at, speaker, utterance = 0, 0, 0
    while True:
        for _ in range(rng.integers(1, 4)):
            utterance = (utterance + int(rng.integers(1, len(lengths)))) % len(lengths)
            if at + lengths[utterance] > total:
                return
            yield speaker, utterance, at
            at += lengths[utterance] + int(rng.uniform(0.3, 0.8) * RATE)
        at += int(rng.uniform(0.5, 2.0) * RATE)
        speaker = 1 - speaker


def build(directory: Path, minutes: float) -> Meeting:
    spoken = utterances()
    total = int(minutes * 60 * RATE)
    tracks = [np.zeros(total, dtype="<i2") for _ in SPEAKERS]
    meeting = Meeting(seconds=total / RATE)
    for speaker, utterance, at in turns([len(samples) for samples, _ in spoken], total):
        samples, text = spoken[utterance]
        tracks[speaker][at : at + len(samples)] = samples
        meeting.said[speaker].append(text)
        meeting.speech[speaker] += len(samples) / RATE
    for name, samples in zip(SPEAKERS, tracks, strict=True):
        wav = directory / f"{name}.wav"
        with wave.open(str(wav), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(samples.tobytes())
        meeting.tracks.append(wav)
    return meeting


def encoded(wav: Path) -> Path:
    webm = wav.with_suffix(".webm")
    command = ["ffmpeg", "-y", "-loglevel", "error", "-i", str(wav), "-c:a", "libopus"]
    subprocess.run([*command, "-b:a", "32k", str(webm)], check=True)
    return webm


def error_rate(meeting: Meeting, heard: list[str]) -> str:
    said = [normalised(" ".join(s)) for s in meeting.said]
    each = ", ".join(f"{jiwer.wer(s, h):.3f}" for s, h in zip(said, heard, strict=True))
    return f"{jiwer.wer(said, heard):.3f} ({each} by track)"


class WorkerMemory:
    """The peak resident memory of a process and its children, sampled."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0

    def sample(self) -> None:
        self.peak = max(self.peak, sum(_rss(pid) for pid in _tree(self.pid)))


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _tree(int(child))
    return found


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next(
        int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS")
    )


def start_worker(data: Path, model: str) -> tuple[subprocess.Popen[bytes], Path]:
    log = data / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data}/reflector.sqlite3",
        "CELERY_BROKER_URL": f"sqlite:///{data}/broker.sqlite3",
        "REFLECTOR_DATA_DIR": str(data),
        "TRANSCRIPTION_MODEL": model,
        "OUTBOX_POLL_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }
    command = [str(Path(sys.executable).parent / "reflector"), "worker", "--queues"]
    worker = subprocess.Popen(
        [*command, "transcription", "--concurrency", "1"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while b" ready." not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return worker, log


async def through_the_pipeline(data: Path, meeting: Meeting, model: str) -> float:
    settings = Settings(
        _env_file=None,
        DATABASE_URL=f"sqlite:///{data}/reflector.sqlite3",
        CELERY_BROKER_URL=f"sqlite:///{data}/broker.sqlite3",
        REFLECTOR_DATA_DIR=data,
        DEFAULT_VIDEO_PLATFORM="mock",
        TRANSCRIPTION_MODEL=model,
    )
    await asyncio.to_thread(upgrade, settings.database_url)
    config = Config(
        settings=settings, platforms=platform_settings(mock=MockSettings(_env_file=None))
    )
    app = create_app(config, relay=False)
    worker, log = start_worker(data, model)
    memory = WorkerMemory(worker.pid)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                headers = await api_key_headers(app.state.runtime, "bench")
                wall = await drive(client, headers, meeting, memory)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    loads = [line for line in log.read_text().splitlines() if "loaded whisper model" in line]
    print(f"  worker peak RSS (all its processes) {memory.peak / 2**30:.2f} GiB")
    print(f"  model load: {loads[0].split('loaded whisper model')[1].strip() if loads else '?'}")
    return wall


async def drive(
    client: httpx.AsyncClient, headers: dict[str, str], meeting: Meeting, memory: WorkerMemory
) -> float:
    """Seconds from the upload's answer to the recording done."""
    room = await new_meeting(client, headers)
    files = [
        ("file", (f"{name}.webm", encoded(wav).read_bytes(), "audio/webm"))
        for name, wav in zip(SPEAKERS, meeting.tracks, strict=True)
    ]
    created = await client.post(
        f"/v1/meetings/{room['id']}/recordings", files=files, headers=headers, timeout=600
    )
    created.raise_for_status()
    began = time.monotonic()
    stages: dict[str, float] = {}
    url = f"/v1/recordings/{created.json()['id']}"
    while True:
        shown = (await client.get(url, headers=headers)).json()
        stages.setdefault(shown["stage"] or "queued", time.monotonic() - began)
        memory.sample()
        if shown["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.5)
    wall = time.monotonic() - began
    if shown["status"] == "failed":
        raise SystemExit(f"processing failed: {shown['error']}")
    print(f"reflector pipeline: {wall:7.1f} s = {wall / meeting.seconds:.3f} of the meeting")
    ordered = sorted(stages.items(), key=lambda item: item[1])
    for (stage, start), (_, end) in zip(ordered, [*ordered[1:], ("", wall)], strict=True):
        print(f"  {stage:<13} {end - start:7.1f} s")
    transcript = (
        await client.get(f"/v1/transcripts/{shown['transcript_id']}", headers=headers)
    ).json()
    heard = [
        normalised(" ".join(s["text"] for s in transcript["segments"] if s["speaker"] == name))
        for name in SPEAKERS
    ]
    print(f"  word error rate {error_rate(meeting, heard)}")
    return wall


def bare(model_dir: Path, meeting: Meeting) -> float:
    """faster-whisper as its README shows it: default options, one file after the other."""
    began = time.monotonic()
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8")
    heard = []
    for wav in meeting.tracks:
        segments, _ = model.transcribe(str(wav))
        heard.append(normalised(" ".join(segment.text for segment in segments)))
    wall = time.monotonic() - began
    print(f"bare faster-whisper: {wall:7.1f} s = {wall / meeting.seconds:.3f} of the meeting")
    print(f"  word error rate {error_rate(meeting, heard)}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--model", default="base")
    parser.add_argument("--no-bare", action="store_true", help="only the pipeline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        meeting = build(data, args.minutes)
        shares = ", ".join(f"{s / meeting.seconds:.0%}" for s in meeting.speech)
        cores = os.cpu_count()
        print(f"{args.minutes:.0f}-minute meeting, two tracks, speech {shares}, {cores} cores")
        # Joined and checked once, as a worker's first load does; not part of the timing.
        model_dir = whisper_models.resolve(args.model, data)
        ours = asyncio.run(through_the_pipeline(data, meeting, args.model))
        if not args.no_bare:
            theirs = bare(model_dir, meeting)
            print(f"speed-up over bare faster-whisper: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
