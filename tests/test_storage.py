"""Storage: local disk and S3 (a local moto server), one behaviour."""

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflector.infra.storage import (
    InvalidKey,
    LocalStorage,
    S3Storage,
    Storage,
    TooLarge,
    check_key,
    recording_key,
)
from tests.servers import s3_client

BUCKET = "reflector-test"


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "storage")
    client = s3_client(request.getfixturevalue("s3_endpoint"))
    bucket = f"{BUCKET}-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket)
    return S3Storage(client, bucket, tmp_path / "spool")


async def chunks(data: bytes, size: int = 65536) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_objects_round_trip_with_size_and_checksum(storage):
    data = bytes(range(256)) * 5000
    key = recording_key(uuid.uuid4(), 0, "mp4")
    stored = await storage.put(key, chunks(data), max_bytes=len(data))
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    async with storage.local_path(key) as path:
        assert path.read_bytes() == data
    await storage.delete(key)


async def test_a_write_over_the_cap_stores_nothing(storage, tmp_path):
    key = recording_key(uuid.uuid4(), 0, "mp4")
    with pytest.raises(TooLarge):
        await storage.put(key, chunks(b"x" * 300_000), max_bytes=200_000)
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []


def test_keys_come_from_our_ids_and_allowed_extensions():
    recording = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert recording_key(recording, 1, "MP4") == f"recordings/{recording}/track-1.mp4"
    assert recording_key(recording, 0, "exe") == f"recordings/{recording}/track-0.bin"


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "recordings/../../etc/passwd",
        "/etc/passwd",
        "recordings\\x\\y",
        "recordings/%2e%2e/x",
        "recordings/a\x00b",
        "recordings/" + "a" * 600,
        "Recordings/x",
        "recordings",
        "",
    ],
)
def test_path_like_keys_are_refused(key):
    with pytest.raises(InvalidKey):
        check_key(key)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_no_key_resolves_outside_the_storage_root(tmp_path_factory, key):
    root = tmp_path_factory.getbasetemp() / "root"
    storage = LocalStorage(root)
    try:
        path = storage._path(key)
    except InvalidKey:
        return
    assert Path(path).is_relative_to(root.resolve())
