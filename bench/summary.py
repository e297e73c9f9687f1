"""The summary stage on long meetings: model calls and tokens sent for transcripts of 10, 60
and 240 minutes, which grow linearly with the length, and the stage's own time against the
time the (loopback, instant) chat-completions server took to answer.

    .venv/bin/python bench/summary.py [--context 8192]
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from reflector.config.settings import Settings  # noqa: E402
from reflector.recordings.pipeline.summary.chat import Chat  # noqa: E402
from reflector.recordings.pipeline.summary.record import Budget, Line, make_record, tokens  # noqa: E402
from tests.llm_fake import serving  # noqa: E402

# About what two people say in 8 s.
SENTENCE = "we should move the launch to march so that the migration of the rooms is done first"
SPEAKERS = ("Ada", "Bo", "Cy")


def transcript(minutes: int) -> list[Line]:
    return [
        Line(n, 8.0 * n, 8.0 * n + 7.5, SPEAKERS[n % len(SPEAKERS)], f"{SENTENCE} ({n})")
        for n in range(minutes * 60 // 8)
    ]


async def measure(minutes: int, context: int) -> tuple[int, int, float, float]:
    with serving() as fake:
        settings = Settings(
            _env_file=None, LLM_API_URL=fake.url, LLM_MODEL="bench", LLM_CONTEXT_TOKENS=context
        )
        budget = Budget(context)
        chat = Chat(settings, budget.answer)
        began = time.perf_counter()
        try:
            await make_record(chat, transcript(minutes), "en", budget, lambda _: None)
        finally:
            await chat.close()
        wall = time.perf_counter() - began
        sent = sum(tokens(prompt) for prompt in fake.prompts())
        return len(fake.requests), sent, wall - fake.busy, fake.busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--context", type=int, default=8192)
    args = parser.parse_args()
    print(f"LLM_CONTEXT_TOKENS={args.context}")
    print("minutes  calls  tokens sent  tokens/minute  stage's own time  server's time")
    for minutes in (10, 60, 240):
        calls, sent, own, server = asyncio.run(measure(minutes, args.context))
        print(
            f"{minutes:7d}  {calls:5d}  {sent:11d}  {sent / minutes:13.0f}"
            f"  {own * 1000:13.0f} ms  {server * 1000:10.0f} ms"
        )


if __name__ == "__main__":
    main()
