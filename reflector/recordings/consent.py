"""Consent to being recorded: whose voice a recording may keep, by the answers given.

A room that asks (`consent = ask`) records each person's answer with the meeting. When its
recording is processed, each person's track is kept or withheld by that person's answer; a
person whose answer we never saw (they joined the platform directly) counts as the room's
`consent_default`, which is `refuse` unless the owner chose otherwise. A person is matched
to answers by user id and by name, and a refusal among their answers wins: a wrong match
can only withhold, never keep, someone's voice.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import Answer, Consent, ConsentAnswer, ParticipantSession, Room
from reflector.recordings.tracks import Track


class Outcome(BaseModel):
    """What consent did to a recording, stored with it (`Recording.consent`)."""

    withheld: list[str] = Field(
        default=[], description="Whose tracks were deleted unheard: they refused"
    )
    mixed_refused: bool = Field(
        default=False,
        description="Someone in a mixed recording refused: its audio is deleted as soon as "
        "the transcript exists",
    )
    not_transcribed: bool = Field(
        default=False,
        description="The room does not transcribe mixed recordings in which someone refused",
    )

    def notes(self) -> list[str]:
        """What the transcript says about it, for people."""
        said = []
        if self.withheld:
            whose = "their track was" if len(self.withheld) == 1 else "their tracks were"
            said.append(
                f"{', '.join(self.withheld)} asked not to be recorded: {whose} deleted "
                "unheard, and nothing they said is here."
            )
        if self.not_transcribed:
            said.append(
                "Someone in this meeting asked not to be recorded, so its recording was not "
                "transcribed, and its audio was deleted."
            )
        elif self.mixed_refused:
            said.append(
                "Someone in this meeting asked not to be recorded: its audio was deleted as "
                "soon as this transcript was made."
            )
        return said

    def merged(self, earlier: "Outcome") -> "Outcome":
        """With what an earlier processing did (its withheld tracks are gone by now)."""
        return Outcome(
            withheld=list(dict.fromkeys([*earlier.withheld, *self.withheld])),
            mixed_refused=self.mixed_refused or earlier.mixed_refused,
            not_transcribed=self.not_transcribed or earlier.not_transcribed,
        )


def default_answer(room: Room) -> Answer:
    return Answer(room.consent_default or Answer.REFUSE)


async def answers_in(session: AsyncSession, meeting_id: uuid.UUID) -> list[ConsentAnswer]:
    query = (
        select(ConsentAnswer)
        .where(ConsentAnswer.meeting_id == meeting_id)
        .order_by(ConsentAnswer.answered_at)
    )
    return list((await session.scalars(query)).all())


async def answers_of(session: AsyncSession, user_id: str) -> list[ConsentAnswer]:
    """Every answer a user gave, in any meeting."""
    query = (
        select(ConsentAnswer)
        .where(ConsentAnswer.user_id == user_id)
        .order_by(ConsentAnswer.answered_at)
    )
    return list((await session.scalars(query)).all())


@dataclass(frozen=True)
class Verdict:
    """Which tracks of a recording are withheld, and whether anyone in it refused."""

    withheld: frozenset[int]
    # The recording has mixed audio, and someone in the meeting refused.
    mixed_refused: bool


def judge(
    room: Room,
    answers: Sequence[ConsentAnswer],
    sessions: Sequence[ParticipantSession],
    tracks: Sequence[Track],
) -> Verdict:
    """Each person's track by their answer; a mixed track (nobody's alone) by everyone's."""
    if room.consent != Consent.ASK:
        return Verdict(frozenset(), False)
    fallback = default_answer(room)
    withheld = frozenset(
        index
        for index, track in enumerate(tracks)
        if is_someones(track)
        and _answer(_names_of(track, sessions), answers, fallback) == Answer.REFUSE
    )
    present = [s for s in sessions if not s.is_recorder]
    anyone_refused = any(a.answer == Answer.REFUSE for a in answers) or any(
        _answer(_names(s.user_id, s.display_name), answers, fallback) == Answer.REFUSE
        for s in present
    )
    mixed = any(not is_someones(track) for track in tracks)
    return Verdict(withheld, mixed and anyone_refused)


def is_someones(track: Track) -> bool:
    """A track of one participant's voice; otherwise it is the meeting's mixed audio."""
    return track.participant_id is not None or track.speaker is not None


def _names_of(track: Track, sessions: Sequence[ParticipantSession]) -> set[str]:
    names = _names(track.speaker)
    for row in sessions:
        if track.participant_id is not None and row.platform_participant_id == track.participant_id:
            names |= _names(row.user_id, row.display_name)
    return names


def _names(*names: str | None) -> set[str]:
    return {name.casefold() for name in names if name}


def _answer(names: set[str], answers: Iterable[ConsentAnswer], fallback: Answer) -> Answer:
    theirs = [a.answer for a in answers if _names(a.user_id, a.name) & names]
    if not theirs:
        return fallback
    return Answer.REFUSE if Answer.REFUSE in theirs else Answer.AGREE
