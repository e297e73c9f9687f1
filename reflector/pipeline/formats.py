"""Transcript exports: WebVTT, SubRip and plain text."""

from typing import Any


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def vtt(segments: list[dict[str, Any]]) -> str:
    cues = [
        f"{_clock(s['start'], '.')} --> {_clock(s['end'], '.')}\n<v {s['speaker']}>{s['text']}"
        for s in segments
    ]
    return "WEBVTT\n\n" + "\n\n".join(cues) + ("\n" if cues else "")


def srt(segments: list[dict[str, Any]]) -> str:
    cues = [
        f"{index}\n{_clock(s['start'], ',')} --> {_clock(s['end'], ',')}\n"
        f"{s['speaker']}: {s['text']}"
        for index, s in enumerate(segments, start=1)
    ]
    return "\n\n".join(cues) + ("\n" if cues else "")


def txt(segments: list[dict[str, Any]]) -> str:
    return "".join(f"[{_clock(s['start'], '.')}] {s['speaker']}: {s['text']}\n" for s in segments)
