"""The meeting's record, from a chat-completions server faked on loopback: what is asked,
what is stored and shown, and what happens when the model or its server misbehaves."""

import asyncio
import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from pydantic import SecretStr
from sqlalchemy import select

from reflector.cli import main
from reflector.config.settings import Settings
from reflector.db import Job
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.recordings.pipeline.summary.chat import Chat, SummaryFailed
from reflector.recordings.pipeline.summary.record import Budget, Line, make_record, tokens
from reflector.recordings.pipeline.summary.stage import SUMMARIZE_TRANSCRIPT
from reflector.rooms.room_webhooks import DELIVER
from tests.llm_fake import FakeLLM, record_of, serving
from tests.media import OTHER_SENTENCE, SENTENCE, delayed, speech
from tests.support import new_meeting, run_queued


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with serving() as fake:
        yield fake


@pytest.fixture
def settings(settings, llm):
    return settings.model_copy(
        update={
            "LLM_API_URL": llm.url,
            "LLM_MODEL": "llama3.1",
            "LLM_API_KEY": SecretStr("sk-local"),
            "WEBHOOK_ALLOW_PRIVATE_TARGETS": True,
        }
    )


def chat_settings(llm: FakeLLM, context: int = 8192) -> Settings:
    return Settings(
        _env_file=None, LLM_API_URL=llm.url, LLM_MODEL="llama3.1", LLM_CONTEXT_TOKENS=context
    )


def said(count: int, speakers: tuple[str, ...] = ("Ada", "Bo")) -> list[Line]:
    return [
        Line(n, 4.0 * n, 4.0 * n + 3.5, speakers[n % len(speakers)], f"point {n} of the plan")
        for n in range(count)
    ]


async def recorded(llm: FakeLLM, lines: list[Line], context: int = 8192, language: str = "en"):
    budget = Budget(context)
    chat = Chat(chat_settings(llm, context), budget.answer)
    try:
        return await make_record(chat, lines, language, budget, lambda _: None)
    finally:
        await chat.close()


async def processed(client, headers, runtime, video, **room_fields) -> dict:
    meeting = await new_meeting(client, headers, **room_fields)
    files = {"file": ("m.mp4", video.read_bytes(), "video/mp4")}
    url = f"/v1/meetings/{meeting['id']}/recordings"
    recording = (await client.post(url, files=files, headers=headers)).json()
    assert await run_queued(runtime, PROCESS_RECORDING) == ["done"]
    done = (await client.get(f"/v1/recordings/{recording['id']}", headers=headers)).json()
    assert done["status"] == "done"
    return (await client.get(f"/v1/transcripts/{done['transcript_id']}", headers=headers)).json()


async def test_a_meeting_gets_its_record(client, alice, runtime, llm, spoken_video):
    hook = "http://127.0.0.1:9/hook"
    transcript = await processed(client, alice, runtime, spoken_video, webhook_url=hook)
    [request] = llm.requests
    assert (request["model"], request["authorization"]) == ("llama3.1", "Bearer sk-local")
    assert request["response_format"]["type"] == "json_schema"
    prompt = llm.prompts()[0]
    assert "Speaker 1: Please send the meeting notes" in prompt
    assert "in English" in prompt
    summary = transcript["summary"]
    assert summary["status"] == "done"
    assert (summary["title"], summary["model"], summary["error"]) == (
        "Budget review",
        "llama3.1",
        None,
    )
    assert summary["decisions"] == ["Book a room for the next review"]
    assert summary["action_items"] == [{"text": "Send the meeting notes", "owner": "Speaker 1"}]
    segments = transcript["segments"]
    [topic] = summary["topics"]
    assert (topic["start"], topic["end"]) == (segments[0]["start"], segments[-1]["end"])

    markdown = await client.get(f"/v1/transcripts/{transcript['id']}?format=md", headers=alice)
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# Budget review\n")
    assert "- [ ] Send the meeting notes (Speaker 1)" in markdown.text
    found = (await client.get("/v1/transcripts?q=budget", headers=alice)).json()
    assert [item["id"] for item in found["items"]] == [transcript["id"]]
    # An excerpt is one passage, readable alone: a line of the summary, or who said what.
    assert found["items"][0]["excerpt"] == "The team went through the budget."
    said = (await client.get("/v1/transcripts?q=friday", headers=alice)).json()
    assert said["items"][0]["excerpt"].startswith("Speaker 1: Please send the meeting notes")
    async with runtime.db.read() as session:
        [delivery] = (await session.scalars(select(Job).where(Job.task == DELIVER.name))).all()
    announced = delivery.args["payload"]
    assert announced["type"] == "transcript.completed"
    assert announced["data"]["summary"]["action_items"] == summary["action_items"]


async def test_a_summary_that_fails_leaves_the_transcript_done(
    client, alice, runtime, llm, spoken_video
):
    llm.script = ["not json at all", '{"title": "no"}']
    transcript = await processed(client, alice, runtime, spoken_video)
    assert transcript["status"] == "done"
    assert transcript["segments"]
    summary = transcript["summary"]
    assert summary["status"] == "failed"
    assert summary["error"].startswith("the model's answer was not valid twice")
    assert len(llm.requests) == 2
    assert "That answer is not valid" in llm.prompts()[1]


async def test_the_owner_asks_for_the_summary_again_one_at_a_time(
    client, alice, runtime, llm, spoken_video
):
    llm.script = [500, 500, 500, 500]
    transcript = await processed(client, alice, runtime, spoken_video)
    assert transcript["summary"]["error"] == "the model server answered 500."
    url = f"/v1/transcripts/{transcript['id']}/summary"
    asked = await client.post(url, headers=alice)
    assert (asked.status_code, asked.json()["status"]) == (202, "pending")
    again = await client.post(url, headers=alice)
    assert again.status_code == 409
    assert await run_queued(runtime, SUMMARIZE_TRANSCRIPT) == ["done"]
    shown = (await client.get(f"/v1/transcripts/{transcript['id']}", headers=alice)).json()
    assert shown["summary"]["status"] == "done"

    settings = runtime.config.settings
    env = {
        "DATABASE_URL": settings.database_url,
        "REFLECTOR_DATA_DIR": str(settings.REFLECTOR_DATA_DIR),
        "LLM_API_URL": llm.url,
        "LLM_MODEL": "llama3.1",
    }
    command = ["transcripts", "summarize", transcript["id"]]
    printed = await asyncio.to_thread(CliRunner().invoke, main, command, env=env)
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output)["title"] == "Budget review"


async def test_speakers_renamed_and_merged_reach_exports_and_search(
    client, alice, bob, runtime, llm, media_dir
):
    meeting = await new_meeting(client, alice)
    tracks = [
        speech(media_dir / "ann.wav", SENTENCE),
        delayed(speech(media_dir / "bo-raw.wav", OTHER_SENTENCE), 8, media_dir / "bo.wav"),
    ]
    files = [("file", (path.name, path.read_bytes(), "audio/wav")) for path in tracks]
    created = await client.post(
        f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice
    )
    assert await run_queued(runtime, PROCESS_RECORDING) == ["done"]
    recording = (await client.get(f"/v1/recordings/{created.json()['id']}", headers=alice)).json()
    transcript_url = f"/v1/transcripts/{recording['transcript_id']}"
    url = f"{transcript_url}/speakers"

    stranger = await client.patch(url, json={"names": {"ann": "Ada"}}, headers=bob)
    assert stranger.status_code in (403, 404)
    unknown = await client.patch(url, json={"names": {"Nobody": "Ada"}}, headers=alice)
    assert unknown.status_code == 422
    assert "no speaker of this transcript is named Nobody" in unknown.text
    renamed = await client.patch(url, json={"names": {"ann": "Ada Lovelace"}}, headers=alice)
    assert renamed.status_code == 200, renamed.text
    body = renamed.json()
    assert {s["speaker"] for s in body["segments"]} == {"Ada Lovelace", "bo"}
    assert body["summary"]["action_items"][0]["owner"] == "Ada Lovelace"
    vtt = (await client.get(f"{transcript_url}?format=vtt", headers=alice)).text
    assert "<v Ada Lovelace>" in vtt
    found = (await client.get("/v1/transcripts?q=lovelace", headers=alice)).json()
    assert found["total"] == 1

    merged = await client.patch(url, json={"names": {"bo": "Ada Lovelace"}}, headers=alice)
    assert {s["speaker"] for s in merged.json()["segments"]} == {"Ada Lovelace"}
    assert merged.json()["languages"] == {"Ada Lovelace": "en"}
    srt = (await client.get(f"{transcript_url}?format=srt", headers=alice)).text
    assert "bo: " not in srt
    assert "Ada Lovelace: The budget review" in srt


async def test_a_server_error_is_retried(llm):
    llm.script = [503]
    record = await recorded(llm, said(6))
    assert len(llm.requests) == 2
    assert record.answer.title == "Budget review"


async def test_an_invalid_answer_is_sent_back_once_with_what_is_wrong(llm):
    cites_too_far = json.loads(record_of("[0] x"))
    cites_too_far["topics"][0]["last_line"] = 99
    llm.script = [json.dumps(cites_too_far)]
    record = await recorded(llm, said(6))
    assert len(llm.requests) == 2
    assert "a topic must cite lines 0 to 5" in llm.prompts()[1]
    assert record.as_json()["topics"][0]["end"] == said(6)[-1].end


async def test_an_owner_who_did_not_speak_is_refused(llm):
    stranger = json.loads(record_of("[0] x"))
    stranger["action_items"][0]["owner"] = "Mallory"
    llm.script = [json.dumps(stranger), json.dumps(stranger)]
    with pytest.raises(SummaryFailed, match="an owner must be one of"):
        await recorded(llm, said(6))


async def test_a_server_without_json_schemas_is_asked_for_json(llm):
    llm.refuses_schemas = True
    await recorded(llm, said(6))
    assert [r["response_format"]["type"] for r in llm.requests] == ["json_schema", "json_object"]


async def test_the_record_is_asked_for_in_the_meetings_language(llm):
    await recorded(llm, said(6), language="de")
    assert "in German, the language of the meeting" in llm.prompts()[0]


@pytest.mark.parametrize(
    ("context", "count", "combining_calls"), [(8192, 2700, 1), (2048, 2000, 3)]
)
async def test_a_long_meeting_is_summarized_in_parts_that_fit(llm, context, count, combining_calls):
    """Four times the context: parts, then one call combining their records; over ten times,
    more parts' records than one call holds: combining calls in rounds, still linear."""
    budget = Budget(context)
    lines = said(count)
    whole = tokens("\n".join(line.shown() for line in lines))
    assert whole > 4 * context
    record = await recorded(llm, lines, context)
    prompts = llm.prompts()
    combining = [p for p in prompts if "Combine them into the record" in p]
    parts = [p for p in prompts if "write the record of this part only" in p]
    assert len(parts) >= 5
    assert len(combining) == combining_calls
    assert all(tokens(p) <= budget.prompt for p in prompts)
    assert all(r["max_tokens"] == budget.answer for r in llm.requests)
    topic = record.as_json()["topics"][0]
    assert (topic["start"], topic["end"]) == (lines[0].start, lines[-1].end)
