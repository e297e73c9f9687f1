"""Streaming a multipart upload's parts straight to where they go, never whole into memory.

Starlette's form parser spools a whole upload to disk before the route runs; here the
request body is fed to python-multipart as it arrives, and each part is handed on chunk by
chunk, so size caps apply while the upload is still streaming.
"""

from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import HTTPException
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from reflector.infra.storage import NotMedia, StorageError, TooLarge


@dataclass(frozen=True)
class _Begin:
    name: str
    filename: str | None


_END = object()


class MultipartParts:
    """The parts of a multipart body, in order: `async for name, filename, chunks in parts`.

    A part whose chunks are not read is skipped.
    """

    def __init__(self, content_type: str, body: AsyncIterator[bytes]) -> None:
        media_type, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if media_type != b"multipart/form-data" or not boundary:
            raise HTTPException(415, "send recordings as multipart/form-data")
        self._body = body
        self._events: deque[object] = deque()
        self._headers: dict[bytes, bytes] = {}
        self._header = [b"", b""]
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

    async def __aiter__(self) -> AsyncIterator[tuple[str, str | None, AsyncIterator[bytes]]]:
        while (event := await self._next()) is not None:
            if isinstance(event, _Begin):
                yield event.name, event.filename, self._chunks()

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

    def _add_header(self, index: int, data: bytes) -> None:
        self._header[index] += data

    def _header_end(self) -> None:
        self._headers[self._header[0].lower()] = self._header[1]
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._events.append(_Begin(name, filename.decode("utf-8", "replace") if filename else None))

    def _data(self, data: bytes, start: int, end: int) -> None:
        self._events.append(bytes(data[start:end]))

    def _part_end(self) -> None:
        self._events.append(_END)


async def files_of(
    parts: MultipartParts, field: str
) -> AsyncIterator[tuple[str | None, AsyncIterator[bytes]]]:
    """The files sent in one field, in order, as `(filename, chunks)`."""
    async for name, filename, chunks in parts:
        if name == field:
            yield filename, chunks


async def read_part(chunks: AsyncIterator[bytes], limit: int, name: str) -> bytes:
    """A small part whole, refused with 413 beyond `limit` bytes."""
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise HTTPException(413, f"part {name!r} is larger than {limit} bytes")
    return bytes(data)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Storage failures while a recording streams in, as the HTTP answers they deserve."""
    try:
        yield
    except NotMedia as exc:
        raise HTTPException(415, f"{exc}: send a recording (audio or video)") from None
    except TooLarge as exc:
        raise HTTPException(413, f"the recording is {exc}") from None
    except StorageError as exc:
        raise HTTPException(507, f"the recording could not be stored: {exc}") from None


def check_length(content_length: str, limit: int) -> int | None:
    """The declared length, refused with 413 if it already exceeds `limit` (plus framing)."""
    if not content_length.isdigit():
        return None
    if int(content_length) > limit + 64 * 1024:
        raise HTTPException(413, f"the recording is larger than the limit of {limit} bytes")
    return int(content_length)
