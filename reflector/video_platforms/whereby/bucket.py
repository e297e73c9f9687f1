"""Recordings found in our bucket rather than announced: S3 `ObjectCreated` notifications read from
an SQS queue, and a rescan of the bucket for objects no way in has brought
(docs/platforms/whereby.md#cloud-recordings-in-our-bucket). Each object becomes one inbox event
keyed by the object, and its recording is keyed by the object too, so a recording found by the
webhook, the queue and the rescan is one recording. An object of a room with no meeting of ours is
parked."""

import asyncio
import json
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from reflector.inbox.actions import InboundEvent
from reflector.infra.job_errors import TransientJobError
from reflector.jobs import JobContext
from reflector.video_platforms.buckets import client_for
from reflector.video_platforms.whereby.client import WherebyClient
from reflector.video_platforms.whereby.events import RECORDING_EXTENSIONS

logger = logging.getLogger(__name__)
# Messages per receive, and receives per run: a run ends within its time limit.
_MESSAGES = 10
_RECEIVES = 30
# Objects older than this are left alone by the rescan: the queue or the webhook had them.
RESCAN_WINDOW = timedelta(days=7)


async def read_notifications(ctx: JobContext) -> int:
    """Store the recordings the queue tells of; returns how many objects it named."""
    client = ctx.platforms.of(WherebyClient)
    queue = client.settings.sqs_queue_url
    if queue is None or client.settings.bucket_name is None:
        return 0
    parts = urlsplit(str(queue))
    sqs = client_for(
        "sqs", ctx.config.settings, client.settings, f"{parts.scheme}://{parts.netloc}"
    )
    named = 0
    for _ in range(_RECEIVES):
        messages = await _aws(
            sqs.receive_message,
            QueueUrl=str(queue),
            MaxNumberOfMessages=_MESSAGES,
            WaitTimeSeconds=1,
        )
        if not messages.get("Messages"):
            break
        for message in messages["Messages"]:
            events = list(_events_of(client, message.get("Body", "")))
            # Stored before the message is deleted: a failure leaves it to be received again.
            await ctx.recordings.found(events)
            await _aws(
                sqs.delete_message, QueueUrl=str(queue), ReceiptHandle=message["ReceiptHandle"]
            )
            named += len(events)
    return named


async def rescan(ctx: JobContext) -> int:
    """Store recent recordings in the bucket that no way in has brought; returns how many."""
    client = ctx.platforms.of(WherebyClient)
    bucket = client.settings.bucket_name
    if bucket is None:
        return 0
    s3 = client_for("s3", ctx.config.settings, client.settings)
    since = ctx.clock() - RESCAN_WINDOW
    paginator = s3.get_paginator("list_objects_v2")
    pages = await _aws(
        lambda: list(paginator.paginate(Bucket=bucket, Prefix=client.settings.bucket_folder))
    )
    keys = [
        item["Key"]
        for page in pages
        for item in page.get("Contents", [])
        if item["Key"].endswith(RECORDING_EXTENSIONS) and item["LastModified"] >= since
    ]
    unseen = await ctx.recordings.unseen(client.slug, {key: f"s3:{key}" for key in keys})
    events = [
        event
        for key in unseen
        if (event := client.translator.object_created(key, _found_by_rescan(bucket, key)))
    ]
    await ctx.recordings.found(events)
    if events:
        logger.info("whereby: the rescan found %d recordings in %s", len(events), bucket)
    return len(events)


def _events_of(client: WherebyClient, body: str) -> Iterable[InboundEvent]:
    """The recordings an SQS message names: S3's event records, bare or inside SNS's
    envelope. Test events, other buckets and other objects name none."""
    try:
        message = json.loads(body)
        if isinstance(message, dict) and isinstance(message.get("Message"), str):
            message = json.loads(message["Message"])
    except ValueError:
        logger.warning("whereby: an SQS message that is not JSON was dropped")
        return
    records = message.get("Records") if isinstance(message, dict) else None
    for record in records if isinstance(records, list) else []:
        s3 = record.get("s3") if isinstance(record, dict) else None
        if not str(record.get("eventName", "")).startswith("ObjectCreated") or not isinstance(
            s3, dict
        ):
            continue
        bucket = (s3.get("bucket") or {}).get("name")
        raw_key = (s3.get("object") or {}).get("key")
        if bucket != client.settings.bucket_name or not isinstance(raw_key, str):
            continue
        # Keys arrive URL-encoded: ":" as %3A, spaces as "+"
        # (docs/platforms/whereby.md#cloud-recordings-in-our-bucket).
        key = unquote_plus(raw_key)
        if not key.startswith(client.settings.bucket_folder):
            continue
        event = client.translator.object_created(key, json.dumps(record).encode())
        if event is not None:
            yield event


def _found_by_rescan(bucket: str, key: str) -> bytes:
    return json.dumps({"found_by": "rescan", "bucket": bucket, "key": key}).encode()


async def _aws(call: Any, **kwargs: Any) -> Any:
    """A boto3 call off the event loop; AWS failures are worth retrying later."""
    try:
        return await asyncio.to_thread(call, **kwargs)
    except (BotoCoreError, ClientError) as exc:
        raise TransientJobError(f"whereby bucket: {exc}") from exc
