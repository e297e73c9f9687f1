"""The `reflector` command."""

import asyncio
import ipaddress
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TypeVar

import click
import uvicorn
from sqlalchemy import select

from reflector.accounts import auth, exports, users
from reflector.app import create_app
from reflector.config import startup
from reflector.config.loading import Config, ConfigError, load_config
from reflector.config.startup import StartupError
from reflector.db import Room, Transcript
from reflector.db import migrate as migrations
from reflector.infra.errors import Conflict, InvalidField, ServiceError
from reflector.infra.listen import listen
from reflector.jobs import JobContext
from reflector.recordings import expiry
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.recordings.pipeline.summary import stage as summary_stage
from reflector.rooms import directory, removal
from reflector.rooms.fields import RoomCreate
from reflector.runtime import Runtime
from reflector.video_platforms.registry import PLATFORMS
from reflector.worker import broker, lifelines
from reflector.worker.celery_app import queues
from reflector.worker.processes import run_beat, run_worker
from reflector.worker.scheduler_lock import scheduler_free, scheduler_lock

T = TypeVar("T")
OWNER_ONLY = 0o077


def _config() -> Config:
    try:
        return load_config(PLATFORMS)
    except ConfigError as exc:
        raise StartupError("; ".join(exc.problems) or str(exc)) from None


def _with_runtime(work: Callable[[Runtime], Awaitable[T]]) -> T:
    config = _config()
    startup.prepare_database(config)

    async def run() -> T:
        runtime = Runtime.open(config, PLATFORMS)
        try:
            return await work(runtime)
        finally:
            await runtime.aclose()

    return asyncio.run(run())


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Services:
    """What platform commands get as click's `obj` (`spec.CommandContext`)."""

    def run(self, work: Callable[[JobContext], Awaitable[T]]) -> T:
        return _with_runtime(work)


class _Commands(click.Group):
    """Lists each command with its whole first sentence, wrapped, where click would cut it
    to the terminal's width."""

    group_class = type  # subgroups list theirs the same way

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_Commands)
@click.option("--debug", is_flag=True, help="Show tracebacks of start-up errors.")
@click.pass_context
def main(context: click.Context, debug: bool) -> None:
    """Reflector: persistent meeting rooms on any video platform."""
    # What this service writes (the database with password hashes and webhook secrets,
    # recordings, transcripts, models) is its own user's alone.
    os.umask(OWNER_ONLY)
    context.obj = _Services()


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (with AUTH_BACKEND=none, a loopback address only).",
)
@click.option(
    "--port",
    default=1250,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
def serve(host: str, port: int) -> None:
    """Migrate the database, then serve the API and the web pages."""
    config = _config()
    if config.settings.AUTH_BACKEND == "none" and not _is_loopback(host):
        raise StartupError(
            f"AUTH_BACKEND=none serves without authentication; refusing to bind {host}. "
            "Bind a loopback address or use AUTH_BACKEND=apikey."
        )
    _logging(config)
    # The port first, before a database is touched; closed however start-up ends.
    with listen(host, port) as listener:
        _serve_on(listener, config, host, port)


def _serve_on(listener: socket.socket, config: Config, host: str, port: int) -> None:
    startup.prepare_database(config)
    if (reason := broker.unreachable(config.settings)) is not None:
        click.echo(
            f"Warning: CELERY_BROKER_URL: {reason}. Serving anyway: jobs (recordings, "
            "webhooks) wait in the outbox until the broker answers; /health says degraded.",
            err=True,
        )
    workers: list[subprocess.Popen[bytes]] = []
    if config.settings.embedded_worker:
        startup.prepare_transcription(config)
        scheduler_free(config.settings.database_url)
        workers = _start_embedded_workers()
    # uvicorn re-raises SIGTERM once it has shut down; exiting normally stops the workers too.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        proxies = config.settings.FORWARDED_ALLOW_IPS.strip()
        server = uvicorn.Config(
            create_app(config),
            host=host,
            port=port,
            log_level=config.settings.LOG_LEVEL.lower(),
            # Forwarded addresses only from the proxies named: anyone can send the header.
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
        )
        uvicorn.Server(server).run(sockets=[listener])
    finally:
        for worker in workers:
            _stop(worker)


def _logging(config: Config) -> None:
    logging.basicConfig(
        level=config.settings.LOG_LEVEL, format="%(levelname)s %(name)s: %(message)s"
    )


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _start_embedded_workers() -> list[subprocess.Popen[bytes]]:
    """Children in their own process groups that die with us: a worker with the scheduler
    for the quick jobs, and one for transcription, which takes every core for one job."""
    quick = [q for q in queues(PLATFORMS) if q != PROCESS_RECORDING.queue]
    return [
        _child(["worker", "--beat", "--queues", ",".join(quick)]),
        _child(["worker", "--queues", PROCESS_RECORDING.queue, "--concurrency", "1"]),
    ]


def _child(arguments: list[str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "reflector", *arguments]
    env = {**os.environ, lifelines.PARENT_ENV: str(os.getpid())}
    return subprocess.Popen(  # noqa: S603 (our own argv)
        command, start_new_session=True, env=env, preexec_fn=lifelines.die_with_parent
    )


def _stop(child: subprocess.Popen[bytes]) -> None:
    child.terminate()  # Celery's warm shutdown: running jobs finish, the pool stops
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


@main.command()
@click.option("--beat", is_flag=True, help="Also run the periodic scheduler (one per deployment).")
@click.option(
    "--concurrency", type=click.IntRange(1, 64), help="Processes (default: WORKER_CONCURRENCY)."
)
@click.option(
    "--queues",
    "served",
    help=f"Comma-separated queues to serve (default: all, {','.join(queues(PLATFORMS))}).",
)
def worker(beat: bool, concurrency: int | None, served: str | None) -> None:
    """Run a worker: background jobs from the broker, and the outbox relay."""
    config = _config()
    chosen = _queues(served)
    _logging(config)
    startup.prepare_database(config)
    if PROCESS_RECORDING.queue in chosen:
        startup.prepare_transcription(config)
    lifelines.watch_parent()
    with scheduler_lock(config.settings.database_url) if beat else nullcontext():
        run_worker(
            config,
            PLATFORMS,
            beat=beat,
            concurrency=concurrency or config.settings.WORKER_CONCURRENCY,
            served=chosen,
        )


def _queues(served: str | None) -> list[str]:
    known = queues(PLATFORMS)
    if served is None:
        return known
    chosen = [name.strip() for name in served.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise click.BadParameter(
            f"unknown queue {', '.join(unknown) or '(none given)'}; known: {', '.join(known)}",
            param_hint="--queues",
        )
    return chosen


@main.command()
def beat() -> None:
    """Run the periodic scheduler alone (exactly one per deployment)."""
    config = _config()
    _logging(config)
    startup.prepare_database(config)
    with scheduler_lock(config.settings.database_url):
        run_beat(config, PLATFORMS)


@main.command()
@click.argument("revision", default="head")
@click.option("--down", is_flag=True, help="Downgrade to REVISION instead of upgrading.")
def migrate(revision: str, down: bool) -> None:
    """Bring the database schema to REVISION (default: the newest)."""
    config = _config()
    startup.prepare_data_dir(config)
    url = config.settings.database_url
    with startup.database_errors():
        if down:
            migrations.downgrade(url, revision)
        else:
            migrations.upgrade(url, revision)


@main.command()
def platforms() -> None:
    """Which platforms are configured, and what the others are missing."""
    config = _config()
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


@main.group("api-key")
def api_key() -> None:
    """Create, list and revoke API keys."""


@api_key.command("create")
@click.option("--name", required=True, help="A unique label for the key.")
@click.option("--user", "user_id", help="The user the key acts as (default: the name).")
def api_key_create(name: str, user_id: str | None) -> None:
    """Create a key and print it alone on standard output; it is not shown again."""
    owner = user_id or name

    async def created(rt: Runtime) -> str:
        if not await users.exists(rt.db, owner):
            raise ValueError(
                f"no user is named {owner!r}: create it first with `reflector users create "
                f"{owner}` (add --api-only for one that never signs in)"
            )
        return await auth.create_api_key(rt.db, rt.clock, name, owner)

    try:
        key = _with_runtime(created)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(key)


@api_key.command("list")
def api_key_list() -> None:
    """List the keys: id, name, user, the key's first characters, and whether revoked."""
    keys = _with_runtime(lambda rt: auth.list_api_keys(rt.db))
    if not keys:
        _none_yet("API keys", "reflector api-key create --name NAME")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        click.echo(f"{key.id}  {key.name}  user={key.user_id}  {key.prefix}…  {state}")


@api_key.command("revoke")
@click.argument("name_or_id")
def api_key_revoke(name_or_id: str) -> None:
    """Revoke a key by its name or id; requests with it are refused from now on."""
    try:
        revoked = _with_runtime(lambda rt: auth.revoke_api_key(rt.db, rt.clock, name_or_id))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if not revoked:
        raise click.ClickException(f"no active API key {name_or_id!r}")
    click.echo(f"revoked {name_or_id}")


@main.group("users")
def users_group() -> None:
    """People who sign in to the web pages."""


def _user_name(_ctx: click.Context, _param: click.Parameter, name: str) -> str:
    """Checked before the password is asked for, not after it was typed twice."""
    try:
        return users.check_name(name)
    except InvalidField as exc:
        raise click.BadParameter(exc.message) from None


class _Password(click.ParamType[str]):
    """A password within the rules; at the prompt, a short one is asked for again."""

    name = "password"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return users.check_password(value)
        except InvalidField as exc:
            self.fail(exc.message, param, ctx)


@users_group.command("create")
@click.argument("name", callback=_user_name)
@click.option(
    "--password",
    type=_Password(),
    help="Asked for (twice) when not given; REFLECTOR_PASSWORD works too.",
    envvar="REFLECTOR_PASSWORD",
)
@click.option("--api-only", is_flag=True, help="No password: the user acts by API keys only.")
def users_create(name: str, password: str | None, api_only: bool) -> None:
    """Create a user who signs in with NAME and a password (stored as an argon2 hash)."""
    if api_only:
        password = None
    elif password is None:
        password = click.prompt(
            "Password", type=_Password(), hide_input=True, confirmation_prompt=True
        )
    try:
        _with_runtime(lambda rt: users.create(rt.db, rt.clock, name, password))
    except (InvalidField, Conflict) as exc:
        raise click.ClickException(exc.message) from None
    click.echo(
        f"created {name}; it acts by API keys only (reflector api-key create --user {name})"
        if password is None
        else f"created {name}; sign in at /signin"
    )


@users_group.command("list")
def users_list() -> None:
    """List the users and when each was created."""
    people = _with_runtime(lambda rt: users.listing(rt.db))
    if not people:
        _none_yet("users", "reflector users create NAME")
    for user in people:
        click.echo(f"{user.name}  created {user.created_at:%Y-%m-%d}")


@users_group.command("delete")
@click.argument("name")
@click.option(
    "--reassign-to",
    metavar="OTHER",
    help="Give the user's rooms, with all in them, to OTHER instead of deleting them.",
)
def users_delete(name: str, reassign_to: str | None) -> None:
    """Delete a user: signed out everywhere, their API keys revoked, and their rooms deleted
    with every meeting, recording and transcript in them (or given to --reassign-to)."""
    try:
        gone = _with_runtime(lambda rt: removal.delete_user(rt, name, reassign_to))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    rooms_done = (
        f"gave their {gone.rooms} room(s) to {reassign_to}"
        if reassign_to
        else f"deleted their {gone.rooms} room(s) with everything in them"
    )
    click.echo(
        f"deleted {name}; {rooms_done}: {gone.meetings} meeting(s), {gone.recordings} "
        f"recording(s) with their files, {gone.transcripts} transcript(s)"
    )
    if gone.answers:
        click.echo(
            f"their {gone.answers} answer(s) to being recorded in meetings stay, as a deleted "
            "user's, so that a refusal still holds"
        )


@users_group.command("export")
@click.argument("name")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The zip to write (default: NAME-reflector.zip here).",
)
def users_export(name: str, output: Path | None) -> None:
    """Write a zip of a user's data: their rooms, those rooms' meetings and transcripts (JSON
    and text), and their answers to being recorded."""
    target = output or Path(f"{name}-reflector.zip")
    try:
        done = _with_runtime(lambda rt: exports.write_user_archive(rt, name, target))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(
        f"wrote {target}: {done.rooms} room(s), {done.meetings} meeting(s), "
        f"{done.transcripts} transcript(s), {done.answers} consent answer(s)"
    )


@main.group("rooms")
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
        room = _with_runtime(lambda rt: directory.create(rt, auth.Caller(owner), data))
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

    found = _with_runtime(everything)
    if not found:
        _none_yet("rooms", "reflector rooms create NAME --owner USER")
    for room_id, name, platform, owner in found:
        click.echo(f"{room_id}  {name}  platform={platform}  owner={owner}")


@main.group("retention")
def retention_group() -> None:
    """Delete recordings' files and transcripts whose time is up."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
def retention_run(dry_run: bool) -> None:
    """Delete now what RETENTION_MEDIA_DAYS, RETENTION_TRANSCRIPT_DAYS and each room's own
    limits say is due (the worker does it every hour)."""
    found = _with_runtime(lambda rt: expiry.run(rt, dry_run=dry_run))
    if not found:
        click.echo("nothing is due for deletion", err=True)
    verb = "would delete" if dry_run else "deleted"
    for item in found:
        what = "files of" if item.kind == "media" else "transcript of"
        click.echo(
            f"{verb} the {what} recording {item.recording_id}  room={item.room_name}  "
            f"processed {item.processed_at:%Y-%m-%d}  due {item.due:%Y-%m-%d}"
        )


def _none_yet(what: str, how: str) -> None:
    """An empty list says so on standard error, so that standard output stays a clean list."""
    click.echo(f"no {what} yet (create one with {how})", err=True)


@main.group("transcripts")
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

    found = _with_runtime(summarized)
    if found is None:
        raise click.ClickException(f"no transcript has the id {transcript_id}")
    click.echo(json.dumps(found, indent=2, ensure_ascii=False))
    if found["status"] == "failed":
        raise SystemExit(1)


for _spec in PLATFORMS:
    if _spec.commands is not None:
        main.add_command(_spec.commands, _spec.slug)
