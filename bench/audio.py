"""Audio extraction speed against the ffmpeg command line.

Makes a one-hour recording (AAC in MP4) once, then times our extraction to 16 kHz mono WAV
(PyAV, `reflector.recordings.pipeline.media.extract_audio`) against `ffmpeg` doing the same
conversion.
Transcription speed has its own benchmark, `bench/transcribe.py`.

    .venv/bin/python bench/audio.py [--minutes 60]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from reflector.recordings.pipeline.media import extract_audio  # noqa: E402


def timed(action: object) -> float:
    began = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        recording = work / "hour.mp4"
        seconds = int(args.minutes * 60)
        subprocess.run(
            [
                "ffmpeg",
                "-y",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                "-ac",
                "2",
                "-c:a",
                "aac",
                "-b:a",
                "96k",
                str(recording),
            ],
            check=True,
        )
        ffmpeg = timed(
            lambda: subprocess.run(
                [
                    "ffmpeg",
                    "-y",
                    "-loglevel",
                    "error",
                    "-threads",
                    "1",
                    "-i",
                    str(recording),
                    "-vn",
                    "-ac",
                    "1",
                    "-ar",
                    "16000",
                    "-c:a",
                    "pcm_s16le",
                    str(work / "ffmpeg.wav"),
                ],
                check=True,
            )
        )
        ours = timed(lambda: extract_audio(recording, work / "ours.wav", seconds + 60))
        print(f"extract {args.minutes:.0f} min of AAC to 16 kHz mono WAV")
        print(f"  ffmpeg CLI   {ffmpeg:7.2f} s")
        print(f"  reflector    {ours:7.2f} s   speed vs ffmpeg {ffmpeg / ours:.2f}")


if __name__ == "__main__":
    main()
