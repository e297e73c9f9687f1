"""One structured answer from a chat-completions server, through the official `openai` client
(its retries, with backoff, of timeouts, 408, 429 and 5xx answers).

The answer is asked for with a JSON schema (`response_format` `json_schema`); a server that
refuses that is asked for `json_object` from then on, the schema being in the prompt too.
An answer that is not valid is sent back once with what is wrong with it.
See https://platform.openai.com/docs/api-reference/chat/create.
"""

import logging

import openai
from openai.types.chat import ChatCompletionMessageParam
from pydantic import ValidationError

from reflector.config.settings import Settings
from reflector.recordings.pipeline.summary.answer import Answer, Shown, json_schema

logger = logging.getLogger(__name__)
RETRIES = 3
TIMEOUT = openai.Timeout(600.0, connect=10.0)


class SummaryFailed(Exception):
    """No summary: the reason, in words for people."""


class Chat:
    def __init__(self, settings: Settings, max_tokens: int) -> None:
        key = settings.LLM_API_KEY
        self.model = settings.LLM_MODEL or ""
        self.calls = 0
        self._max_tokens = max_tokens
        self._schema_refused = False
        self._client = openai.AsyncOpenAI(
            base_url=str(settings.LLM_API_URL),
            # Local servers (Ollama, llama.cpp) want none, but the client wants one.
            api_key=key.get_secret_value() if key else "none",
            max_retries=RETRIES,
            timeout=TIMEOUT,
        )

    async def answer(self, messages: list[ChatCompletionMessageParam], shown: Shown) -> Answer:
        said = await self._complete(messages)
        try:
            return _parsed(said, shown)
        except ValueError as first:
            logger.info("the model's answer was not valid, asking again: %s", _why(first))
            again: list[ChatCompletionMessageParam] = [
                *messages,
                {"role": "assistant", "content": said},
                {
                    "role": "user",
                    "content": f"That answer is not valid: {_why(first)}. Answer again, "
                    "with JSON that matches the schema.",
                },
            ]
            said = await self._complete(again)
        try:
            return _parsed(said, shown)
        except ValueError as second:
            raise SummaryFailed(f"the model's answer was not valid twice: {_why(second)}") from None

    async def close(self) -> None:
        await self._client.close()

    async def _complete(self, messages: list[ChatCompletionMessageParam]) -> str:
        try:
            if not self._schema_refused:
                try:
                    return await self._ask(messages, schema=True)
                except openai.BadRequestError:
                    logger.info("the model server refused a JSON schema; asking for JSON")
                    self._schema_refused = True
            return await self._ask(messages, schema=False)
        except openai.APIStatusError as exc:
            raise SummaryFailed(f"the model server answered {exc.status_code}") from exc
        except openai.APIConnectionError as exc:
            raise SummaryFailed("the model server could not be reached") from exc

    async def _ask(self, messages: list[ChatCompletionMessageParam], *, schema: bool) -> str:
        self.calls += 1
        completion = await self._client.chat.completions.create(
            model=self.model,
            messages=messages,
            max_tokens=self._max_tokens,
            temperature=0.2,
            response_format=(
                {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "meeting_record",
                        "schema": json_schema(),
                        "strict": True,
                    },
                }
                if schema
                else {"type": "json_object"}
            ),
        )
        if not completion.choices:
            return ""
        return completion.choices[0].message.content or ""


def _parsed(said: str, shown: Shown) -> Answer:
    try:
        return Answer.model_validate_json(_unfenced(said), context=shown)
    except ValidationError as exc:
        raise ValueError(exc) from exc


def _unfenced(said: str) -> str:
    """The JSON itself: some models wrap it in a Markdown code fence."""
    text = said.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[-1].rsplit("```", 1)[0]
    return text


def _why(error: ValueError) -> str:
    cause = error.args[0] if error.args else error
    if isinstance(cause, ValidationError):
        problems = [
            f"{'.'.join(str(part) for part in problem['loc']) or 'the answer'}: {problem['msg']}"
            for problem in cause.errors(include_url=False)[:5]
        ]
        return "; ".join(problems)
    return str(cause)
