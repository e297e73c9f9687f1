"""Real media for the pipeline tests, made with espeak-ng and ffmpeg."""

import re
import struct
import subprocess
from pathlib import Path

SENTENCE = (
    "please send the meeting notes to the team before friday and book a room for the next review"
)
OTHER_SENTENCE = "the budget review moves to tuesday morning"
# Debian's pocketsphinx-testdata: five utterances of a LibriVox reading, with what is said.
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def librivox() -> list[tuple[Path, str]]:
    """Each utterance's 16 kHz WAV and the words said in it."""
    lines = (LIBRIVOX / "transcription").read_text().splitlines()
    found = []
    for wav in sorted(LIBRIVOX.glob("*.wav")):
        line = next(line for line in lines if line.endswith(f"({wav.stem})"))
        found.append((wav, line.split("<s>")[1].split("</s>")[0].strip()))
    return found


def normalised(text: str) -> str:
    """The words, in any case and punctuation."""
    return " ".join(re.sub(r"[^\w']+", " ", text.lower()).split())


def ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", *arguments], check=True)


def speech(path: Path, text: str = SENTENCE, voice: str = "en-us") -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
    return path


def video_with_speech(directory: Path, text: str = SENTENCE, name: str = "meeting.mp4") -> Path:
    """An mp4 with a video track and the spoken sentence as its audio track."""
    wav = speech(directory / f"{name}.wav", text)
    target = directory / name
    ffmpeg(
        *("-f", "lavfi", "-i", "color=c=black:s=160x120:r=10", "-i", str(wav), "-shortest"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(target)),
    )
    return target


def word_share(expected: str, transcript: str) -> float:
    """The share of the expected words heard, in any case and punctuation."""
    words = expected.split()
    heard = set(normalised(transcript).split())
    return sum(word in heard for word in words) / len(words)


def delayed(source: Path, seconds: float, target: Path) -> Path:
    """The same audio after `seconds` of silence, as a participant who speaks later."""
    ffmpeg("-i", str(source), "-af", f"adelay={int(seconds * 1000)}", str(target))
    return target


def silence(path: Path, seconds: float = 2.0) -> Path:
    """An audio-only recording (AAC in MP4) in which nobody speaks."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"anullsrc=r=48000:cl=mono:d={seconds}",
        "-c:a",
        "aac",
        "-f",
        "mp4",
        str(path),
    )
    return path


def lying_about_its_length(path: Path, seconds: float, claimed: float) -> Path:
    """FLAC in Matroska, `seconds` of silence long, whose header says `claimed` seconds."""
    ffmpeg("-f", "lavfi", "-i", f"anullsrc=r=16000:cl=mono:d={seconds}", "-c:a", "flac", str(path))
    data = bytearray(path.read_bytes())
    duration = data.find(b"\x44\x89\x88")  # Matroska's Duration: an 8-byte float, in ms
    data[duration + 3 : duration + 11] = struct.pack(">d", claimed * 1000)
    path.write_bytes(bytes(data))
    return path
