"""What the service holds: `reflector platforms`, `rooms`, `retention`, `transcripts`."""

import json
import uuid
from typing import Any

import click
from sqlalchemy import select

from reflector.accounts import auth
from reflector.commands.services import loaded_config, none_yet, with_runtime
from reflector.db import Room, Transcript
from reflector.infra.errors import ServiceError
from reflector.recordings import expiry
from reflector.recordings.pipeline.summary import stage as summary_stage
from reflector.rooms import directory
from reflector.rooms.fields import RoomCreate
from reflector.runtime import Runtime
from reflector.video_platforms.registry import PLATFORMS


@click.command()
def platforms() -> None:
    """Which platforms are configured, and what the others are missing."""
    config = loaded_config()
    default = config.settings.DEFAULT_VIDEO_PLATFORM
    for spec in PLATFORMS:
        settings = config.platforms[spec.slug]
        missing = settings.missing()
        marker = " (default)" if spec.slug == default else ""
        state = "configured" if not missing else "not configured: set " + ", ".join(missing)
        click.echo(f"{spec.slug}{marker}: {state}")
        capabilities = ", ".join(sorted(spec.client.capabilities_with(settings)))
        click.echo(f"  capabilities: {capabilities or '-'}")
        for name, value in settings.describe().items():
            click.echo(f"  {name}={value}")


@click.group("rooms")
def rooms_group() -> None:
    """Create and list rooms."""


@rooms_group.command("create")
@click.argument("name")
@click.option("--owner", required=True, help="User id of the room's owner.")
@click.option("--platform", help="Video platform (default: DEFAULT_VIDEO_PLATFORM).")
@click.option("--shared", is_flag=True, help="Let every user see and use the room.")
def rooms_create(name: str, owner: str, platform: str | None, shared: bool) -> None:
    """Create a room and print its id."""
    try:
        data = RoomCreate(name=name, platform=platform, is_shared=shared)
        room = with_runtime(lambda rt: directory.create(rt, auth.Caller(owner), data))
    except (ValueError, ServiceError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(room.id))


@rooms_group.command("list")
def rooms_list() -> None:
    """List every room: id, name, platform and owner."""

    async def everything(rt: Runtime) -> list[tuple[str, str, str, str]]:
        async with rt.db.read() as session:
            found = await session.scalars(select(Room).order_by(Room.name))
            return [(str(r.id), r.name, r.platform, r.owner) for r in found]

    found = with_runtime(everything)
    if not found:
        none_yet("rooms", "reflector rooms create NAME --owner USER")
    for room_id, name, platform, owner in found:
        click.echo(f"{room_id}  {name}  platform={platform}  owner={owner}")


@click.group("retention")
def retention_group() -> None:
    """Delete recordings' files and transcripts whose time is up."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
def retention_run(dry_run: bool) -> None:
    """Delete now what RETENTION_MEDIA_DAYS, RETENTION_TRANSCRIPT_DAYS and each room's own
    limits say is due (the worker does it every hour)."""
    found = with_runtime(lambda rt: expiry.run(rt, dry_run=dry_run))
    if not found:
        click.echo("nothing is due for deletion", err=True)
    verb = "would delete" if dry_run else "deleted"
    for item in found:
        what = "files of" if item.kind == "media" else "transcript of"
        click.echo(
            f"{verb} the {what} recording {item.recording_id}  room={item.room_name}  "
            f"processed {item.processed_at:%Y-%m-%d}  due {item.due:%Y-%m-%d}"
        )


@click.group("transcripts")
def transcripts_group() -> None:
    """Work on transcripts."""


@transcripts_group.command("summarize")
@click.argument("transcript_id", type=click.UUID)
def transcripts_summarize(transcript_id: uuid.UUID) -> None:
    """Write the transcript's summary now, here, and print it as JSON."""

    async def summarized(rt: Runtime) -> dict[str, Any] | None:
        if not await summary_stage.summarize_transcript(rt, transcript_id, lambda _: None):
            return None
        async with rt.db.read() as session:
            return (await session.get_one(Transcript, transcript_id)).summary

    found = with_runtime(summarized)
    if found is None:
        raise click.ClickException(f"no transcript has the id {transcript_id}")
    click.echo(json.dumps(found, indent=2, ensure_ascii=False))
    if found["status"] == "failed":
        raise SystemExit(1)
