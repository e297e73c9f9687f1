"""Subtitles a person can read: cues cut at words, two short lines, a few seconds each, and
no speaker's name or word that breaks the format."""

import re

from reflector.recordings.pipeline import formats

TIMING = re.compile(r"^\d\d:\d\d:\d\d[.,]\d{3} --> \d\d:\d\d:\d\d[.,]\d{3}$")


def spoken(text: str, speaker: str = "Ada", start: float = 0.0, pace: float = 0.4) -> dict:
    """A segment of `text` said at one word per `pace` seconds, with word timings."""
    words = [
        {"start": round(start + i * pace, 3), "end": round(start + i * pace + 0.3, 3), "text": w}
        for i, w in enumerate(text.split())
    ]
    return {
        "start": start,
        "end": words[-1]["end"],
        "speaker": speaker,
        "text": text,
        "words": words,
    }


LONG = (
    "so the plan for the quarter is to finish the migration of every room to the new "
    "platform before the holidays and then to look again at what the recordings cost us "
    "each month because the storage bill has doubled since the summer"
)


def test_a_long_segment_becomes_cues_of_two_short_lines_and_a_few_seconds():
    cues = list(formats.cues([spoken(LONG, pace=0.6)]))
    assert len(cues) >= 4
    for cue in cues:
        assert 1 <= len(cue.lines) <= formats.LINES
        assert all(len(line) <= formats.LINE_CHARACTERS for line in cue.lines)
        assert cue.end - cue.start <= formats.CUE_SECONDS
    assert " ".join(line for cue in cues for line in cue.lines) == LONG
    starts = [cue.start for cue in cues]
    assert starts == sorted(starts)


def test_a_segment_without_word_timings_is_cut_the_same_way():
    segment = spoken(LONG)
    del segment["words"]
    cues = list(formats.cues([segment]))
    assert len(cues) >= 3
    assert " ".join(line for cue in cues for line in cue.lines) == LONG
    assert cues[-1].end == segment["end"]


def test_names_and_words_never_break_the_format():
    segments = [
        spoken("we ship --> friday <b>maybe</b> & then", speaker="Eve <script>\n& co"),
        spoken("next\n\nsteps", speaker="Bo", start=5.0),
    ]
    vtt = formats.vtt(segments)
    assert vtt.startswith("WEBVTT\n\n")
    blocks = vtt.removeprefix("WEBVTT\n\n").strip().split("\n\n")
    assert len(blocks) == 2
    for block in blocks:
        timing, *text = block.split("\n")
        assert TIMING.match(timing)
        assert all("-->" not in line and "<b>" not in line for line in text)
    first_line = blocks[0].split("\n")[1]
    assert first_line.startswith("<v Eve &lt;script&gt; &amp; co>we ship -&gt; friday")
    assert "&lt;b&gt;maybe&lt;/b&gt; &amp; then" in blocks[0]
    assert blocks[1].endswith("<v Bo>next steps")

    srt = formats.srt(segments).strip().split("\n\n")
    assert [block.split("\n")[0] for block in srt] == ["1", "2"]
    assert all(TIMING.match(block.split("\n")[1]) for block in srt)
    assert srt[1].split("\n")[2] == "Bo: next steps"


def test_a_display_name_cannot_forge_a_cue():
    forged = "Guest\n\n00:00:00.000 --> 99:00:00.000\n<v CEO>Approved: wire the money"
    segments = [spoken("hello everyone", speaker=forged)]
    vtt = formats.vtt(segments)
    [block] = vtt.removeprefix("WEBVTT\n\n").strip().split("\n\n")
    timing, text = block.split("\n")
    assert TIMING.match(timing)
    assert "-->" not in text
    assert text.startswith("<v Guest 00:00:00.000 -&gt; 99:00:00.000 &lt;v CEO&gt;Approved")
    srt = formats.srt(segments).strip().split("\n")
    assert len(srt) == 3
    assert "-->" not in srt[2]
