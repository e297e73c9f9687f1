"""The OpenAI-compatible engine against a local fake, and the engines' configuration."""

import asyncio
import email
import email.policy
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from reflector.config.loading import ConfigError, load_config
from reflector.config.settings import Settings
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.video_platforms.registry import PLATFORMS
from tests.support import new_meeting, run_queued

SEGMENTS = [
    {"id": 0, "start": 0.0, "end": 2.5, "text": " Please send the meeting notes."},
    {"id": 1, "start": 2.5, "end": 4.8, "text": " Book a room for the next review."},
]
# Each segment's words, spread evenly over it.
WORDS = [
    {
        "word": word,
        "start": round(s["start"] + 0.35 * i, 2),
        "end": round(s["start"] + 0.35 * i + 0.3, 2),
    }
    for s in SEGMENTS
    for i, word in enumerate(s["text"].split())
]


@dataclass
class FakeService:
    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[dict[str, object]] = field(default_factory=list)
    url: str = ""
    seconds: float = 0.0  # how long the service thinks


@pytest.fixture
def service() -> Iterator[FakeService]:
    state = FakeService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            head = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
            message = email.message_from_bytes(head + body, policy=email.policy.HTTP)
            fields = {
                part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
                for part in message.iter_parts()
            }
            granularities = [
                part.get_payload(decode=True).decode()
                for part in message.iter_parts()
                if part.get_param("name", header="content-disposition")
                == "timestamp_granularities[]"
            ]
            state.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("authorization"),
                    "model": fields["model"].decode(),
                    "response_format": fields["response_format"].decode(),
                    "timestamp_granularities[]": granularities,
                    "audio": fields["file"][:4],
                }
            )
            time.sleep(state.seconds)
            status = state.statuses.pop(0) if len(state.statuses) > 1 else state.statuses[0]
            body = json.dumps(
                {"text": "x", "language": "english", "segments": SEGMENTS, "words": WORDS}
                if status == 200
                else {"error": "no"}
            )
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield state
    httpd.shutdown()


@pytest.fixture
def settings(settings, service):
    return settings.model_copy(
        update={
            "TRANSCRIPTION_BACKEND": "openai",
            "TRANSCRIPTION_API_URL": service.url,
            "TRANSCRIPTION_MODEL": "whisper-1",
            "TRANSCRIPTION_API_KEY": SecretStr("sk-test"),
        }
    )


async def upload(client, headers, video) -> dict:
    meeting = await new_meeting(client, headers)
    files = {"file": ("m.mp4", video.read_bytes(), "video/mp4")}
    return (
        await client.post(f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=headers)
    ).json()


async def test_the_openai_compatible_backend_is_asked_as_the_api_specifies(
    client, alice, runtime, service, spoken_video
):
    recording = await upload(client, alice, spoken_video)
    assert await run_queued(runtime, PROCESS_RECORDING) == ["done"]
    [request] = service.requests
    assert request == {
        "path": "/v1/audio/transcriptions",
        "authorization": "Bearer sk-test",
        "model": "whisper-1",
        "response_format": "verbose_json",
        "timestamp_granularities[]": ["segment", "word"],
        "audio": b"RIFF",
    }
    done = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    transcript = (
        await client.get(f"/v1/transcripts/{done['transcript_id']}", headers=alice)
    ).json()
    assert [s["text"] for s in transcript["segments"]] == [
        "Please send the meeting notes.",
        "Book a room for the next review.",
    ]
    words = [w for s in transcript["segments"] for w in s["words"]]
    assert " ".join(w["text"] for w in words) == " ".join(w["word"] for w in WORDS)
    starts = [w["start"] for w in words]
    assert starts == sorted(starts)
    assert starts[-1] < done["duration"]
    assert (transcript["language"], transcript["engine"], transcript["model"]) == (
        "en",
        "openai",
        "whisper-1",
    )


async def test_a_recording_shows_its_stage_and_progress_as_it_is_processed(
    client, alice, runtime, service, spoken_video
):
    service.seconds = 3.0
    recording = await upload(client, alice, spoken_video)
    url = f"/v1/recordings/{recording['id']}"
    processing = asyncio.create_task(run_queued(runtime, PROCESS_RECORDING))
    seen = []
    while not processing.done():
        shown = (await client.get(url, headers=alice)).json()
        seen.append((shown["status"], shown["stage"], shown["progress"], shown["duration"]))
        await asyncio.sleep(0.2)
    assert await processing == ["done"]
    transcribing = [view for view in seen if view[1] == "transcribing"]
    assert transcribing, "\n".join(map(str, seen))
    assert all(status == "processing" and duration for status, _, _, duration in transcribing)
    done = (await client.get(url, headers=alice)).json()
    assert (done["status"], done["stage"], done["progress"]) == ("done", "done", 1.0)
    assert done["duration"] > 4


async def test_service_errors_are_retried_or_fail_by_class(
    client, alice, runtime, service, spoken_video, clock
):
    service.statuses = [503, 400]
    recording = await upload(client, alice, spoken_video)
    assert await run_queued(runtime, PROCESS_RECORDING) == ["pending"]
    clock.advance(5)
    assert await run_queued(runtime, PROCESS_RECORDING) == ["failed"]
    failed = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    assert failed["status"] == "failed"
    assert "refused the audio (400)" in failed["error"]


@pytest.mark.parametrize(
    ("wrong", "named"),
    [
        ({"TRANSCRIPTION_BACKEND": "openai"}, "TRANSCRIPTION_API_URL: required"),
        ({"TRANSCRIPTION_BACKEND": "pocketsphinx"}, "unknown engine 'pocketsphinx'"),
        ({"TRANSCRIPTION_LANGUAGE": "xx"}, "TRANSCRIPTION_LANGUAGE: Whisper knows no"),
    ],
)
def test_an_engine_missing_what_it_needs_stops_start_up(tmp_path, wrong, named):
    settings = Settings(_env_file=None, REFLECTOR_DATA_DIR=tmp_path, **wrong)
    with pytest.raises(ConfigError, match=named):
        load_config(PLATFORMS, settings=settings)


async def test_a_recording_fails_with_the_reason_when_its_job_gives_up(
    client, alice, runtime, service, spoken_video, clock
):
    service.statuses = [503]
    recording = await upload(client, alice, spoken_video)
    outcomes = []
    for _ in range(PROCESS_RECORDING.max_attempts):
        outcomes += await run_queued(runtime, PROCESS_RECORDING)
        clock.advance(700)
    assert outcomes == ["pending"] * (PROCESS_RECORDING.max_attempts - 1) + ["failed"]
    failed = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    assert failed["status"] == "failed"
    assert "answered 503" in failed["error"]
