"""A chat-completions server on loopback, as Ollama, vLLM or OpenAI answer
(https://platform.openai.com/docs/api-reference/chat/create): it checks each request and
answers as scripted, or else with a valid record of the lines it was shown."""

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# An answer: the content the model writes, or an HTTP status to fail with.
Scripted = str | int


@dataclass
class FakeLLM:
    url: str = ""
    script: list[Scripted] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    refuses_schemas: bool = False
    # Seconds spent answering, over all requests.
    busy: float = 0.0

    def prompts(self) -> list[str]:
        return ["\n".join(m["content"] for m in r["messages"]) for r in self.requests]


def record_of(prompt: str) -> str:
    """A valid answer for a prompt: its first and last cited lines, its first speaker as
    the owner of one action item."""
    lines = [int(n) for n in re.findall(r"^\[(\d+)\]", prompt, re.MULTILINE)]
    cited = [int(n) for pair in re.findall(r"Topic \[(\d+)-(\d+)\]", prompt) for n in pair]
    numbers = lines or cited or [0]
    speakers = re.findall(r'owner is exactly one of: "([^"]+)"', prompt)
    return json.dumps(
        {
            "title": "Budget review",
            "summary": "The team went through the budget.\n\nThey agreed to meet again.",
            "topics": [
                {
                    "title": "The budget",
                    "first_line": min(numbers),
                    "last_line": max(numbers),
                    "summary": "Where the money goes.",
                }
            ],
            "decisions": ["Book a room for the next review"],
            "action_items": [
                {"text": "Send the meeting notes", "owner": speakers[0] if speakers else None}
            ],
        }
    )


@contextmanager
def serving() -> Iterator[FakeLLM]:
    state = FakeLLM()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            began = time.perf_counter()
            try:
                self._handle()
            finally:
                state.busy += time.perf_counter() - began

        def _handle(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            assert self.path == "/v1/chat/completions", self.path
            assert body["model"], body
            assert body["messages"], body
            assert all(m["role"] in ("system", "user", "assistant") for m in body["messages"])
            state.requests.append({**body, "authorization": self.headers.get("authorization")})
            if state.refuses_schemas and body["response_format"]["type"] == "json_schema":
                self._answer(400, {"error": {"message": "response_format not supported"}})
                return
            scripted = state.script.pop(0) if state.script else None
            if isinstance(scripted, int):
                self._answer(scripted, {"error": {"message": "scripted failure"}})
                return
            prompt = "\n".join(m["content"] for m in body["messages"])
            content = scripted if scripted is not None else record_of(prompt)
            self._answer(
                200,
                {
                    "id": f"chatcmpl-{len(state.requests)}",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            encoded = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        httpd.shutdown()
