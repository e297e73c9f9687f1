"""Transcript exports: WebVTT and SubRip subtitles, and plain text.

Subtitles are cut at word boundaries into cues of at most two lines of about 42 characters
and about 7 seconds, as subtitle guidelines ask (BBC, Netflix's timed text style guide). A
name or text can never break the format: line breaks become spaces, `-->` cannot appear,
and WebVTT's `<`, `>` and `&` are escaped (https://www.w3.org/TR/webvtt1/#cue-text).
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

LINE_CHARACTERS = 42
LINES = 2
CUE_SECONDS = 7.0
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class _Word:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    speaker: str
    lines: tuple[str, ...]


def cues(segments: list[dict[str, Any]]) -> Iterator[Cue]:
    """Each segment's words in cues that fit on the screen; a cue never mixes speakers."""
    for segment in segments:
        speaker = _clean(str(segment["speaker"]))
        # Languages written without spaces (Chinese, Japanese) join their words without.
        joiner = " " if " " in _clean(str(segment["text"])) else ""
        current: list[_Word] = []
        for word in _words(segment):
            longer = [*current, word]
            if current and (
                len(_wrapped(longer, joiner)) > LINES or word.end - current[0].start > CUE_SECONDS
            ):
                yield Cue(current[0].start, current[-1].end, speaker, _wrapped(current, joiner))
                current = []
            current.append(word)
        if current:
            yield Cue(current[0].start, current[-1].end, speaker, _wrapped(current, joiner))


def vtt(segments: list[dict[str, Any]]) -> str:
    blocks = [
        f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n"
        + f"<v {_escaped(cue.speaker)}>"
        + "\n".join(_escaped(line) for line in cue.lines)
        for cue in cues(segments)
    ]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + ("\n" if blocks else "")


def srt(segments: list[dict[str, Any]]) -> str:
    blocks = [
        f"{index}\n{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}\n"
        + "\n".join(_with_speaker(cue))
        for index, cue in enumerate(cues(segments), start=1)
    ]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def markdown(
    heading: str,
    summary: dict[str, Any],
    segments: list[dict[str, Any]],
    notes: Sequence[str] = (),
) -> str:
    """The meeting's record to keep in notes: its summary, decisions, action items and
    topics, then who said what; `notes` (what consent did to it) right under the heading."""
    title = summary.get("title") or heading
    out = [f"# {_clean(title)}", "", f"_{_clean(heading)}_", ""]
    for note in notes:
        out += [f"> {_clean(note)}", ""]
    if summary.get("text"):
        out += ["## Summary", "", str(summary["text"]).strip(), ""]
    if summary.get("decisions"):
        out += ["## Decisions", "", *(f"- {_clean(d)}" for d in summary["decisions"]), ""]
    if summary.get("action_items"):
        out += ["## Action items", ""]
        for item in summary["action_items"]:
            owner = f" ({_clean(item['owner'])})" if item.get("owner") else ""
            out.append(f"- [ ] {_clean(item['text'])}{owner}")
        out.append("")
    if summary.get("topics"):
        out += ["## Topics", ""]
        for topic in summary["topics"]:
            out.append(
                f"- **{position(topic['start'])}** {_clean(topic['title'])}: "
                f"{_clean(topic['text'])}"
            )
        out.append("")
    out += ["## Transcript", ""]
    for s in segments:
        out += [
            f"**{_clean(str(s['speaker']))}** ({position(s['start'])}): {_clean(str(s['text']))}",
            "",
        ]
    return "\n".join(out)


def _with_speaker(cue: Cue) -> list[str]:
    """SubRip has no voices: the speaker's name starts the cue's first line."""
    return [f"{cue.speaker}: {cue.lines[0]}", *cue.lines[1:]]


def txt(segments: list[dict[str, Any]]) -> str:
    return "".join(
        f"[{_clock(s['start'], '.')}] {_clean(str(s['speaker']))}: {_clean(str(s['text']))}\n"
        for s in segments
    )


def position(seconds: float | None) -> str:
    """12.5 -> "0:12", 3725 -> "1:02:05": a time in a recording, as players show it."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _words(segment: dict[str, Any]) -> list[_Word]:
    """The segment's words with their times; without them (an engine that gives none), its
    words placed in its time by their share of its characters."""
    words = [
        _Word(float(w["start"]), float(w["end"]), _clean(str(w["text"])))
        for w in segment.get("words") or []
        if _clean(str(w["text"]))
    ]
    if words:
        return words
    texts = [text for text in _clean(str(segment["text"])).split(" ") if text]
    start, end = float(segment["start"]), float(segment["end"])
    per_character = (end - start) / (sum(len(text) + 1 for text in texts) or 1)
    estimated, at = [], 0
    for text in texts:
        begin, at = at, at + len(text) + 1
        estimated.append(_Word(start + begin * per_character, start + at * per_character, text))
    return estimated


def _wrapped(words: list[_Word], joiner: str) -> tuple[str, ...]:
    """The words in lines of at most LINE_CHARACTERS (a longer word has a line to itself)."""
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + len(joiner) + len(word.text) <= LINE_CHARACTERS:
            lines[-1] += joiner + word.text
        else:
            lines.append(word.text)
    return tuple(lines)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).replace("-->", "->").strip()


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"
