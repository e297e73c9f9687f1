"""Giving an answer to being recorded: one per person per meeting."""

import uuid

from sqlalchemy import delete

from reflector.accounts.auth import Caller
from reflector.db import Answer, Consent, ConsentAnswer
from reflector.infra.errors import Conflict
from reflector.rooms import meetings
from reflector.runtime import Runtime


async def give(
    runtime: Runtime, caller: Caller, meeting_id: uuid.UUID, answer: Answer
) -> ConsentAnswer:
    """The caller's answer in the meeting, replacing any earlier one of theirs."""
    async with runtime.db.write() as session:
        room, meeting = await meetings.get_visible_meeting(session, caller, meeting_id)
        if room.consent != Consent.ASK:
            raise Conflict("this room does not ask for consent (its consent setting is none)")
        await session.execute(
            delete(ConsentAnswer).where(
                ConsentAnswer.meeting_id == meeting.id, ConsentAnswer.user_id == caller.user_id
            )
        )
        row = ConsentAnswer(
            meeting_id=meeting.id,
            user_id=caller.user_id,
            name=caller.user_id,
            answer=answer.value,
            answered_at=runtime.clock(),
        )
        session.add(row)
    return row
