"""Streaming a multipart upload's files straight into storage, never whole into memory.

Starlette's form parser spools a whole upload to disk before the route runs; here the
request body is fed to python-multipart as it arrives, and each file of the chosen field is
handed on chunk by chunk, so size caps apply while the upload is still streaming.
"""

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import HTTPException, Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header


@dataclass(frozen=True)
class _Begin:
    filename: str | None


_END = object()


class MultipartFiles:
    """The files sent in one multipart field, in order: `async for name, chunks in files`."""

    def __init__(self, request: Request, field_name: str) -> None:
        content_type, options = parse_options_header(request.headers.get("content-type", ""))
        boundary = options.get(b"boundary")
        if content_type != b"multipart/form-data" or not boundary:
            raise HTTPException(415, "send recordings as multipart/form-data")
        self._body = request.stream()
        self._field = field_name.encode()
        self._events: deque[object] = deque()
        self._headers: dict[bytes, bytes] = {}
        self._header = [b"", b""]
        self._wanted = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": lambda d, s, e: self._add_header(0, d[s:e]),
                "on_header_value": lambda d, s, e: self._add_header(1, d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": self._part_end,
            },
        )

    async def __aiter__(self) -> AsyncIterator[tuple[str | None, AsyncIterator[bytes]]]:
        while (event := await self._next()) is not None:
            if isinstance(event, _Begin):
                yield event.filename, self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        while (event := await self._next()) is not None and event is not _END:
            if isinstance(event, bytes):
                yield event

    async def _next(self) -> object | None:
        while not self._events:
            try:
                body = await anext(self._body)
            except StopAsyncIteration:
                self._feed(None)
                return self._events.popleft() if self._events else None
            self._feed(body)
        return self._events.popleft()

    def _feed(self, body: bytes | None) -> None:
        try:
            if body is None:
                self._parser.finalize()
            else:
                self._parser.write(body)
        except MultipartParseError as exc:
            raise HTTPException(400, f"malformed multipart body: {exc}") from None

    def _begin(self) -> None:
        self._headers = {}
        self._wanted = False

    def _add_header(self, index: int, data: bytes) -> None:
        self._header[index] += data

    def _header_end(self) -> None:
        self._headers[self._header[0].lower()] = self._header[1]
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._wanted = options.get(b"name") == self._field
        if self._wanted:
            filename = options.get(b"filename")
            self._events.append(_Begin(filename.decode("utf-8", "replace") if filename else None))

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._wanted:
            self._events.append(bytes(data[start:end]))

    def _part_end(self) -> None:
        if self._wanted:
            self._events.append(_END)
