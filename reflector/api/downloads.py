"""Downloads: a recording's original files and the audio extracted from them, streamed from
storage, with single byte ranges (RFC 9110 §14) so that players can seek and downloads
can resume."""

import re
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from reflector.api.deps import CallerDep, RuntimeDep
from reflector.api.recordings import visible_recording
from reflector.infra.errors import NotFound
from reflector.recordings import tracks as recording_tracks

router = APIRouter(tags=["recordings"])
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_DIGITS = 18
_TYPES = {
    "mp4": "video/mp4",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
}
_RESPONSES: dict[int | str, dict[str, object]] = {
    206: {"description": "The byte range asked for"},
    404: {"description": "No such recording or track, or not processed yet (audio)"},
    416: {"description": "The range is outside the file"},
}


@router.get("/v1/recordings/{recording_id}/file", responses=_RESPONSES)
async def recording_file(
    recording_id: uuid.UUID,
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    track: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> Response:
    """One of the recording's files as it was received (`track`, from 0)."""
    return await _download(request, runtime, caller, recording_id, track, "file")


@router.get("/v1/recordings/{recording_id}/audio", responses=_RESPONSES)
async def recording_audio(
    recording_id: uuid.UUID,
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    track: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> Response:
    """A track's audio as the transcriber heard it: 16 kHz mono WAV, once processed."""
    return await _download(request, runtime, caller, recording_id, track, "audio")


async def _download(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    recording_id: uuid.UUID,
    number: int,
    what: Literal["file", "audio"],
) -> Response:
    async with runtime.db.read() as session:
        recording, _ = await visible_recording(session, caller, recording_id)
    tracks = recording_tracks.load(recording.tracks)
    if number >= len(tracks):
        raise NotFound(f"the recording has {len(tracks)} track(s)")
    track = tracks[number]
    key, size = (track.key, track.size) if what == "file" else (track.audio_key, track.audio_size)
    if recording.media_deleted_at is not None:
        raise NotFound(f"its files were deleted on {recording.media_deleted_at:%Y-%m-%d}")
    if key is None or size is None:
        raise NotFound("not stored yet" if what == "file" else "not processed yet")
    extension = key.rsplit(".", 1)[-1]
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'attachment; filename="{recording.id}-{what}-{number}.{extension}"',
    }
    wanted = _range(request.headers.get("range"), size)
    if wanted == "unsatisfiable":
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    first, last = wanted or (0, size - 1)
    if wanted:
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    headers["Content-Length"] = str(last - first + 1)
    return StreamingResponse(
        runtime.storage.read(key, first, last),
        status_code=206 if wanted else 200,
        media_type=_TYPES.get(extension, "application/octet-stream"),
        headers=headers,
    )


def _range(header: str | None, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """One `bytes=` range of a `size`-byte file; None for the whole file (no header, or one
    this does not read, such as several ranges: RFC 9110 lets a server ignore it)."""
    found = _RANGE.fullmatch((header or "").strip())
    if found is None or size == 0:
        return None
    start, end = found.groups()
    if not start and not end:
        return None
    if not start:  # the last `end` bytes
        suffix = _offset(end)
        return (max(0, size - suffix), size - 1) if suffix > 0 else "unsatisfiable"
    first = _offset(start)
    last = min(_offset(end), size - 1) if end else size - 1
    if first >= size or (end and _offset(end) < first):
        return "unsatisfiable"
    return first, last


def _offset(digits: str) -> int:
    """A byte offset; one of more digits than any file has bytes stays past every file
    (Python refuses to read integers of thousands of digits)."""
    return int(digits) if len(digits) <= _DIGITS else 10**_DIGITS
