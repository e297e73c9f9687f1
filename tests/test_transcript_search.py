"""Transcripts a person can see, listed and searched by their words: the same answers from
SQLite's FTS5 and PostgreSQL's full-text search."""

import uuid

from reflector.db import Recording, RecordingStatus, Transcript
from tests.support import START, new_meeting

TEXTS = {
    "budget": "We agreed on the budget for the next quarter and the hiring plan.",
    "travel": "Travel is booked; the Budget review moves to Friday.",
    "french": "La réunion de lundi est annulée, merci à tous.",
    "secret": "Bob's private notes about the budget.",
}


async def transcript(runtime, meeting: dict, text: str) -> str:
    """A processed recording of the meeting whose transcript says `text`."""
    async with runtime.db.write() as session:
        recording = Recording(
            id=uuid.uuid4(),
            meeting_id=uuid.UUID(meeting["id"]),
            platform="mock",
            status=RecordingStatus.DONE,
            tracks=[],
            provider_data={},
            created_at=START,
        )
        session.add(recording)
        await session.flush()
        found = Transcript(
            recording_id=recording.id,
            meeting_id=recording.meeting_id,
            room_id=uuid.UUID(meeting["room_id"]),
            status="done",
            language="en",
            segments=[{"start": 0.0, "end": 5.0, "speaker": "Ann", "text": text}],
            text=text,
            created_at=START,
        )
        session.add(found)
        await session.flush()
        return str(found.id)


async def found(client, headers, **params) -> list[str]:
    response = await client.get("/v1/transcripts", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["items"])


async def test_transcripts_are_listed_and_searched_by_their_words(client, alice, bob, runtime):
    ours = await new_meeting(client, alice, room="ours")
    shared = await new_meeting(client, bob, room="shared", is_shared=True)
    private = await new_meeting(client, bob, room="private")
    ids = {
        "budget": await transcript(runtime, ours, TEXTS["budget"]),
        "travel": await transcript(runtime, shared, TEXTS["travel"]),
        "french": await transcript(runtime, ours, TEXTS["french"]),
        "secret": await transcript(runtime, private, TEXTS["secret"]),
    }
    mine = sorted(ids[name] for name in ("budget", "travel", "french"))
    assert await found(client, alice) == mine
    assert await found(client, alice, q="budget") == sorted([ids["budget"], ids["travel"]])
    assert await found(client, alice, q="BUDGET review") == [ids["travel"]]
    assert await found(client, alice, q="réunion") == [ids["french"]]
    # Search syntax is not the user's: quotes, stars and operators are words or nothing.
    assert await found(client, alice, q='"budget*') == sorted([ids["budget"], ids["travel"]])
    assert await found(client, alice, q='budget" OR "*') == []  # "or" is not in them
    assert await found(client, alice, q="...") == []
    assert await found(client, alice, room="ours") == sorted([ids["budget"], ids["french"]])
    assert await found(client, alice, room=ours["room_id"], q="budget") == [ids["budget"]]
    assert await found(client, bob, q="private notes") == [ids["secret"]]

    page = (await client.get("/v1/transcripts?q=budget", headers=alice)).json()
    assert page["total"] == 2
    excerpts = {item["id"]: item["excerpt"] for item in page["items"]}
    assert "budget" in excerpts[ids["budget"]]
    assert {item["room_name"] for item in page["items"]} == {"ours", "shared"}

    deleted = await client.delete(f"/v1/transcripts/{ids['budget']}", headers=alice)
    assert deleted.status_code == 204
    assert await found(client, alice, q="budget") == [ids["travel"]]
