"""The files of a recording, typed: where each comes from, whose voice it is, when it starts,
and where we keep it once it is ours. Stored in `Recording.tracks` as JSON."""

import hashlib
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from reflector.db import Recording
from reflector.infra.validation import SafeStr, UrlStr

# A day: no meeting's track starts later than that into the recording.
MAX_OFFSET_SECONDS = 24 * 3600.0
MAX_KEY_LENGTH = 1024


class UrlSource(BaseModel):
    """A file the platform serves at an https URL (fetched under the safe-fetch policy)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["url"] = "url"
    url: UrlStr


class BucketSource(BaseModel):
    """An object in an S3 bucket the platform wrote to; the key is data, never a path."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["bucket"] = "bucket"
    bucket: Annotated[SafeStr, Field(min_length=1)]
    key: Annotated[str, Field(min_length=1, max_length=MAX_KEY_LENGTH)]


class PlatformLink(BaseModel):
    """A file the platform's API hands out a download link for, asked for at fetch time
    (links expire, so the announcement carries the platform's recording id instead)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["platform-link"] = "platform-link"
    recording_id: Annotated[SafeStr, Field(min_length=1)]


Source = Annotated[UrlSource | BucketSource | PlatformLink, Field(discriminator="kind")]


class Track(BaseModel):
    """One file of a recording. `key`, `size` and `sha256` are set once it is in our storage."""

    model_config = ConfigDict(frozen=True)

    source: Source | None = None
    participant_id: SafeStr | None = None
    # The name the platform gave with the track, or the uploaded file's name.
    speaker: SafeStr | None = None
    offset_seconds: float = Field(default=0.0, ge=0, le=MAX_OFFSET_SECONDS)
    key: str | None = None
    size: int | None = None
    sha256: str | None = None
    # The 16 kHz mono WAV extracted from it, kept once it is processed (a download).
    audio_key: str | None = None
    audio_size: int | None = None


_TRACKS = TypeAdapter(list[Track])


def load(raw: Sequence[dict[str, Any]]) -> list[Track]:
    return _TRACKS.validate_python(raw)


def dump(tracks: Sequence[Track]) -> list[dict[str, Any]]:
    return [track.model_dump(mode="json", exclude_none=True) for track in tracks]


def mark_stored(recording: Recording, tracks: Sequence[Track]) -> None:
    """Every track of `recording` is in our storage now."""
    recording.tracks = dump(tracks)
    recording.storage_key = tracks[0].key
    recording.size = sum(track.size or 0 for track in tracks)
    recording.sha256 = _combined_sha256([track.sha256 or "" for track in tracks])


def stored_keys(tracks: Iterable[Track]) -> list[str]:
    """The storage keys of the files of `tracks` that are in our storage (as received, and
    their extracted audio)."""
    return [key for track in tracks for key in (track.key, track.audio_key) if key]


def keep_only(recording: Recording, tracks: Sequence[Track]) -> None:
    """The recording has only `tracks` now (the others were withheld)."""
    if tracks and all(track.key is not None for track in tracks):
        mark_stored(recording, tracks)
    else:
        recording.tracks = dump(tracks)
        recording.storage_key = tracks[0].key if tracks else None


def _combined_sha256(track_digests: list[str]) -> str:
    """A single track's SHA-256; for several, the SHA-256 of their digests, one per line."""
    if len(track_digests) == 1:
        return track_digests[0]
    return hashlib.sha256("\n".join(track_digests).encode()).hexdigest()
