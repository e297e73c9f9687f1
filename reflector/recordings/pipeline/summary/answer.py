"""What the model is asked to answer, checked against the transcript it was given.

Topics cite transcript lines by number, and action items name one of the meeting's
speakers or nobody; an answer that cites a line it was not shown, or names someone else,
is invalid and the model is told why.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator


@dataclass(frozen=True)
class Shown:
    """What the model was shown: lines `first` to `last`, said by `speakers`."""

    first: int
    last: int
    speakers: tuple[str, ...]


class TopicAnswer(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    first_line: int
    last_line: int
    summary: str

    @field_validator("last_line")
    @classmethod
    def _cited(cls, last: int, info: ValidationInfo) -> int:
        shown: Shown | None = info.context
        first = info.data.get("first_line", last)
        if shown is not None and not shown.first <= first <= last <= shown.last:
            raise ValueError(
                f"a topic must cite lines {shown.first} to {shown.last}, its first line "
                f"before its last (it cited {first} to {last})"
            )
        return last


class ActionItemAnswer(BaseModel):
    text: str = Field(min_length=1)
    owner: str | None

    @field_validator("owner")
    @classmethod
    def _a_speaker(cls, owner: str | None, info: ValidationInfo) -> str | None:
        shown: Shown | None = info.context
        if owner is None or shown is None:
            return owner
        named = {speaker.casefold(): speaker for speaker in shown.speakers}
        if owner.strip().casefold() not in named:
            raise ValueError(f"an owner must be one of {list(shown.speakers)} or null")
        return named[owner.strip().casefold()]


class Answer(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1)
    topics: list[TopicAnswer]
    decisions: list[str]
    action_items: list[ActionItemAnswer]


def json_schema() -> dict[str, Any]:
    """`Answer` as a strict JSON schema (every property required, no others), which is
    what OpenAI's structured outputs accept."""
    return _strict(Answer.model_json_schema())


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    schema = {key: value for key, value in schema.items() if key != "title"}
    if schema.get("type") == "object":
        schema["additionalProperties"] = False
        schema["required"] = list(schema.get("properties", {}))
    for key in ("properties", "$defs"):
        if key in schema:
            schema[key] = {name: _strict(part) for name, part in schema[key].items()}
    if "items" in schema:
        schema["items"] = _strict(schema["items"])
    if "anyOf" in schema:
        schema["anyOf"] = [_strict(part) for part in schema["anyOf"]]
    for limit in ("minLength", "maxLength"):
        schema.pop(limit, None)
    return schema
