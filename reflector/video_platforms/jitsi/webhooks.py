"""Jibri's finished recordings, in: uploaded, or named in the shared recordings volume.
(Prosody's events come through the core's webhook routes: `PlatformSpec.webhooks`.)"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import PurePosixPath

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError

from reflector.api.presenters import recording_out
from reflector.api.recording_schemas import RecordingOut
from reflector.config.limits import WEBHOOK_MAX_BODY
from reflector.db import Recording
from reflector.inbox import edge
from reflector.infra.errors import InvalidField
from reflector.infra.uploads import MultipartParts, check_length, read_part, storage_errors
from reflector.infra.validation import first_error
from reflector.recordings.incoming import TrackIntake, by_platform_id
from reflector.video_platforms.jitsi.client import JitsiClient
from reflector.video_platforms.jitsi.events import PLATFORM
from reflector.video_platforms.jitsi.jibri import (
    METADATA_MAX_BYTES,
    JibriMetadata,
    SessionDirectory,
    checked_session_name,
    meeting_for,
    sole_speaker,
)
from reflector.video_platforms.jitsi.tasks import enqueue_import, store_recording
from reflector.video_platforms.platform_settings import encoded
from reflector.video_platforms.signatures import SignedDigest

SIGNATURE_HEADER = "X-Reflector-Signature"
_UNLIMITED = 2**62


class _SessionNotice(BaseModel):
    """Shared-volume mode: the session directory to read from JITSI_RECORDINGS_DIR."""

    session: str


router = APIRouter()


@router.post(
    "/recordings",
    status_code=201,
    response_model=RecordingOut,
    max_body_size=_UNLIMITED,
    responses={
        200: {"description": "This Jibri session was received before", "model": RecordingOut},
        202: {"description": "Shared-volume mode: the import is queued"},
        401: {"description": f"Missing, stale or wrong {SIGNATURE_HEADER}"},
        404: {"description": "No meeting is in the recording's room"},
        413: {"description": "Larger than RECORDING_MAX_BYTES"},
        503: {"description": "JITSI_WEBHOOK_SECRET is not set"},
    },
)
async def receive_recording(request: Request) -> Response:
    """A finished Jibri recording, from `contrib/jitsi/finalize.sh`.

    Signed `t=<unix>,sha256=<hex SHA-256 of the body>,v1=<hex HMAC-SHA256 of "<t>.<sha256>">`
    with JITSI_WEBHOOK_SECRET: the header is checked before the body is read, and the body
    must then hash to the signed digest. Either multipart (`session`, `metadata` =
    metadata.json, `file` = the media file), streamed into storage, or JSON
    `{"session": "<directory name>"}` naming a session directory under JITSI_RECORDINGS_DIR
    (shared-volume mode), imported by a worker.
    """
    runtime = edge.receiving(request)
    client = _client(runtime)
    now = runtime.clock()
    signed = SignedDigest.verify(
        request.headers.get(SIGNATURE_HEADER, ""),
        encoded(client.settings.webhook_secrets(now)),
        now.timestamp(),
    )
    refusal = f"missing, stale or wrong {SIGNATURE_HEADER}"
    edge.authenticate(runtime, PLATFORM, signed is not None, refusal)
    assert signed is not None
    body = _hashed(request.stream(), signed)
    if request.headers.get("content-type", "").startswith("application/json"):
        return await _shared_volume(runtime, client, body, signed)
    return await _upload(request, runtime, body, signed)


async def _upload(
    request: Request, runtime: edge.Receiving, body: AsyncIterator[bytes], signed: SignedDigest
) -> Response:
    limit = runtime.config.settings.RECORDING_MAX_BYTES
    check_length(request.headers.get("content-length", ""), limit + METADATA_MAX_BYTES)
    parts = MultipartParts(request.headers.get("content-type", ""), body)
    fields: dict[str, bytes] = {}
    async with TrackIntake(runtime) as intake:
        with storage_errors():
            async for name, filename, chunks in parts:
                if name == "file" and not intake.tracks:
                    fields["file"] = PurePosixPath(filename or "").name.encode()
                    await intake.add(filename, chunks)
                elif name in ("session", "metadata"):
                    fields[name] = await read_part(chunks, METADATA_MAX_BYTES, name)
        # Until the whole body proves to be the signed one, nothing but the stored file
        # exists, and leaving this block with an error removes it.
        _require_signed_body(signed)
        if not intake.stored_bytes:
            raise InvalidField(("body", "file"), "a non-empty recording file is required")
        session_name = checked_session_name(_text(fields.get("session", b""), "session"))
        metadata = JibriMetadata.parse(fields.get("metadata", b""))
        async with runtime.db.read() as session:
            existing = await by_platform_id(session, PLATFORM, session_name)
            meeting = await meeting_for(session, metadata, _text(fields["file"], "file"))
        if existing is not None:
            await intake.discard()
            return _answer(existing, 200)
        [track] = intake.tracks
        recording = await store_recording(
            runtime,
            intake.recording_id,
            meeting,
            session_name,
            metadata.provider_data(session_name),
            track.model_copy(update={"speaker": sole_speaker(metadata.participant_names())}),
        )
    return _answer(recording, 201)


async def _shared_volume(
    runtime: edge.Receiving, client: JitsiClient, body: AsyncIterator[bytes], signed: SignedDigest
) -> Response:
    data = await read_part(body, WEBHOOK_MAX_BODY, "body")
    _require_signed_body(signed)
    root = client.settings.recordings_dir
    if root is None:
        raise HTTPException(
            409, "shared-volume mode is off; set JITSI_RECORDINGS_DIR or upload the file"
        )
    try:
        notice = _SessionNotice.model_validate_json(data)
    except ValidationError as exc:
        raise InvalidField(("body",), first_error(exc)) from None
    # The shared volume may be a network file system: keep its latency off the event loop.
    directory = await asyncio.to_thread(SessionDirectory.open, root, notice.session)
    metadata = await asyncio.to_thread(directory.read_metadata)
    async with runtime.db.read() as session:
        existing = await by_platform_id(session, PLATFORM, directory.name)
        meeting = await meeting_for(session, metadata, directory.media.name)
    if existing is not None:
        return _answer(existing, 200)
    await enqueue_import(runtime, meeting, directory.name, metadata.provider_data(directory.name))
    return JSONResponse(
        {"status": "queued", "session": directory.name, "meeting_id": str(meeting.id)},
        status_code=202,
    )


async def _hashed(chunks: AsyncIterator[bytes], signed: SignedDigest) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        signed.update(chunk)
        yield chunk


def _require_signed_body(signed: SignedDigest) -> None:
    if not signed.matches():
        raise HTTPException(401, f"the body is not the one {SIGNATURE_HEADER} signed")


def _answer(recording: Recording, status_code: int) -> Response:
    out = recording_out(recording, None)
    return JSONResponse(out.model_dump(mode="json"), status_code=status_code)


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise InvalidField(("body", name), "must be UTF-8 text") from None


def _client(runtime: edge.Receiving) -> JitsiClient:
    edge.webhook_client(runtime, PLATFORM)  # 503 unless it can authenticate
    return runtime.platforms.of(JitsiClient)
