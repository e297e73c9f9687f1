"""Streaming a multipart upload's file straight into storage, never whole into memory.

Starlette's form parser spools a whole upload to disk before the route runs; here the
request body is fed to python-multipart as it arrives and the chosen field's bytes are
handed on chunk by chunk, so size caps apply while the upload is still streaming.
"""

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import HTTPException, Request
from python_multipart.multipart import MultipartParser, parse_options_header


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str | None = None
    filename: str | None = None


class FilePart:
    """The file of one multipart field, read as an async stream of chunks."""

    def __init__(self, request: Request, field_name: str) -> None:
        content_type, options = parse_options_header(request.headers.get("content-type", ""))
        boundary = options.get(b"boundary")
        if content_type != b"multipart/form-data" or not boundary:
            raise HTTPException(415, "send the recording as multipart/form-data")
        self._request = request
        self._field = field_name
        self._ready: deque[bytes] = deque()
        self._part = _Part()
        self._header_field = b""
        self._header_value = b""
        self.filename: str | None = None
        self.found = False
        self._in_field = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
            },
        )

    async def chunks(self) -> AsyncIterator[bytes]:
        async for body in self._request.stream():
            self._parser.write(body)
            while self._ready:
                yield self._ready.popleft()
        self._parser.finalize()
        while self._ready:
            yield self._ready.popleft()

    def _begin(self) -> None:
        self._part = _Part()
        self._in_field = False

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._part.headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        self._part.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._part.filename = filename.decode("utf-8", "replace") if filename is not None else None
        if self._part.name == self._field and not self.found:
            self.found = self._in_field = True
            self.filename = self._part.filename

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_field:
            self._ready.append(bytes(data[start:end]))
