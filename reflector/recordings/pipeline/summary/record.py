"""A transcript's record from its segments: one call when the transcript fits the model's
context, else one call per part that fits (map) and then calls that combine the parts'
answers (reduce), as many as their answers take; the calls grow linearly with the length.

Each transcript line is numbered; topics cite lines, and their times are the lines' times.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openai.types.chat import ChatCompletionMessageParam

from reflector.recordings.pipeline import languages
from reflector.recordings.pipeline.formats import position
from reflector.recordings.pipeline.summary.answer import Answer, Shown
from reflector.recordings.pipeline.summary.chat import Chat, SummaryFailed

# A token is about four bytes of English and one character of Chinese (three bytes of
# UTF-8): three bytes a token errs on the side of fitting.
BYTES_PER_TOKEN = 3
# Of the context, what the answer may take.
ANSWER_SHARE = 0.25

INSTRUCTIONS = """You write the record of a meeting from its transcript, for people who
were not there. Each transcript line is "[number] time speaker: words".
Answer with one JSON object, nothing else:
{"title": "a few words naming the meeting",
 "summary": "what the meeting was about and where it got to, in two to four short paragraphs",
 "topics": [{"title": "...", "first_line": 0, "last_line": 12, "summary": "one or two sentences"}],
 "decisions": ["what was agreed, one sentence each"],
 "action_items": [{"text": "what someone will do", "owner": "a speaker's name, or null"}]}
Topics follow the meeting's order and cite the numbers of their first and last lines, as
shown. An owner is exactly one of: SPEAKERS; null when no one took the task on.
Write LANGUAGE. Leave a list empty rather than make something up."""

PART = "This is part {part} of {parts} of the meeting: write the record of this part only."
COMBINE = """These are the records of consecutive parts of one meeting, each with the lines
its topics cite. Combine them into the record of the whole meeting: merge what belongs
together, keep every decision and action item, and cite lines as the parts do."""


@dataclass(frozen=True)
class Line:
    number: int
    start: float
    end: float
    speaker: str
    text: str

    def shown(self) -> str:
        return f"[{self.number}] {position(self.start)} {self.speaker}: {self.text}"


@dataclass(frozen=True)
class Record:
    answer: Answer
    lines: Sequence[Line]

    def as_json(self) -> dict[str, Any]:
        """The record as a transcript keeps it: topics with times, not line numbers."""
        by_number = {line.number: line for line in self.lines}
        return {
            "title": self.answer.title,
            "text": self.answer.summary,
            "topics": [
                {
                    "title": topic.title,
                    "start": by_number[topic.first_line].start,
                    "end": by_number[topic.last_line].end,
                    "text": topic.summary,
                }
                for topic in self.answer.topics
            ],
            "decisions": self.answer.decisions,
            "action_items": [item.model_dump() for item in self.answer.action_items],
        }


def lines_of(segments: Sequence[dict[str, Any]]) -> list[Line]:
    return [
        Line(number, float(s["start"]), float(s["end"]), str(s["speaker"]), str(s["text"]))
        for number, s in enumerate(segments)
    ]


def tokens(text: str) -> int:
    return math.ceil(len(text.encode()) / BYTES_PER_TOKEN)


class Budget:
    """How much of the model's context a call's prompt may take."""

    def __init__(self, context_tokens: int) -> None:
        self.answer = int(context_tokens * ANSWER_SHARE)
        self.prompt = context_tokens - self.answer


async def make_record(
    chat: Chat,
    lines: Sequence[Line],
    language: str,
    budget: Budget,
    told: Callable[[float], None],
) -> Record:
    speakers = tuple(dict.fromkeys(line.speaker for line in lines))
    instructions = INSTRUCTIONS.replace(
        "SPEAKERS", ", ".join(f'"{name}"' for name in speakers)
    ).replace("LANGUAGE", _in_language(language))
    room = budget.prompt - tokens(instructions) - tokens(COMBINE) - tokens(PART) - 16
    parts = _packed([line.shown() for line in lines], room)
    if len(parts) == 1:
        answer = await chat.answer(
            _messages(instructions, "\n".join(parts[0])), _shown(lines, speakers)
        )
        told(1.0)
        return Record(answer, lines)
    # Every part's call, then the combining calls: about one combining call per
    # `room / answer` parts, so the total stays linear in the length.
    expected = len(parts) + max(1, math.ceil(len(parts) * budget.answer / room))
    done = 0
    records: list[tuple[Answer, Shown]] = []
    start = 0
    for number, part in enumerate(parts, start=1):
        shown = _shown(lines[start : start + len(part)], speakers)
        prompt = f"{PART.format(part=number, parts=len(parts))}\n\n" + "\n".join(part)
        records.append((await chat.answer(_messages(instructions, prompt), shown), shown))
        start += len(part)
        done += 1
        told(done / expected)
    while len(records) > 1:
        before = len(records)
        combined: list[tuple[Answer, Shown]] = []
        for group in _packed([_described(answer) for answer, _ in records], room):
            members, records = records[: len(group)], records[len(group) :]
            shown = Shown(members[0][1].first, members[-1][1].last, speakers)
            prompt = f"{COMBINE}\n\n" + "\n\n".join(group)
            combined.append((await chat.answer(_messages(instructions, prompt), shown), shown))
            done += 1
            told(min(1.0, done / expected))
        if len(combined) == before:
            raise SummaryFailed("LLM_CONTEXT_TOKENS is too small to combine the parts' records")
        records = combined
    told(1.0)
    return Record(records[0][0], lines)


def _messages(instructions: str, prompt: str) -> list[ChatCompletionMessageParam]:
    return [{"role": "system", "content": instructions}, {"role": "user", "content": prompt}]


def _shown(lines: Sequence[Line], speakers: tuple[str, ...]) -> Shown:
    return Shown(lines[0].number, lines[-1].number, speakers)


def _packed(items: list[str], room: int) -> list[list[str]]:
    """The items in order, in groups of at most `room` tokens (an item larger than that
    alone in its group, cut to fit)."""
    groups: list[list[str]] = [[]]
    used = 0
    for item in items:
        cost = tokens(item) + 1
        if cost > room:
            item = item.encode()[: room * BYTES_PER_TOKEN - 8].decode(errors="ignore")
            cost = room
        if groups[-1] and used + cost > room:
            groups.append([])
            used = 0
        groups[-1].append(item)
        used += cost
    return groups


def _described(answer: Answer) -> str:
    """A part's answer as the combining call reads it."""
    return "\n".join(
        [
            f"Part: {answer.title}",
            answer.summary,
            *(
                f"Topic [{t.first_line}-{t.last_line}] {t.title}: {t.summary}"
                for t in answer.topics
            ),
            *(f"Decision: {decision}" for decision in answer.decisions),
            *(f"Action: {item.text} (owner: {item.owner})" for item in answer.action_items),
        ]
    )


def _in_language(code: str) -> str:
    name = languages.name_of(code)
    return f"in {name}, the language of the meeting" if name else "in the meeting's language"
