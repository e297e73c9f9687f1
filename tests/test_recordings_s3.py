"""The pipeline with S3 storage: a local moto server stands in for the bucket."""

import hashlib

import pytest
from pydantic import SecretStr

from tests.media import SENTENCE, word_share
from tests.servers import s3_client
from tests.support import new_meeting
from tests.test_recordings import process_queued

BUCKET = "reflector-recordings"


@pytest.fixture(scope="module")
def bucket(s3_endpoint) -> str:
    s3_client(s3_endpoint).create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture
def settings(settings, s3_endpoint, bucket):
    return settings.model_copy(
        update={
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_ACCESS_KEY_ID": SecretStr("t"),
            "S3_SECRET_ACCESS_KEY": SecretStr("t"),
        }
    )


async def test_a_recording_in_s3_is_transcribed(client, alice, runtime, spoken_video, s3_endpoint):
    meeting = await new_meeting(client, alice)
    files = {"file": ("meeting.mp4", spoken_video.read_bytes(), "video/mp4")}
    created = (
        await client.post(f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice)
    ).json()
    bucket = s3_client(s3_endpoint)
    key = f"recordings/{created['id']}/track-0.mp4"
    stored = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == created["sha256"]

    assert await process_queued(runtime) == ["done"]
    recording = (await client.get(f"/v1/recordings/{created['id']}", headers=alice)).json()
    text = (
        await client.get(f"/v1/transcripts/{recording['transcript_id']}?format=txt", headers=alice)
    ).text
    assert word_share(SENTENCE, text) >= 0.18, text
