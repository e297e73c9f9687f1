"""People and their keys: `reflector users ...` and `reflector api-key ...`."""

from pathlib import Path

import click

from reflector.accounts import auth, exports, users
from reflector.commands.services import none_yet, with_runtime
from reflector.infra.errors import Conflict, InvalidField, ServiceError
from reflector.rooms import removal
from reflector.runtime import Runtime


@click.group("api-key")
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
        key = with_runtime(created)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(key)


@api_key.command("list")
def api_key_list() -> None:
    """List the keys: id, name, user, the key's first characters, and whether revoked."""
    keys = with_runtime(lambda rt: auth.list_api_keys(rt.db))
    if not keys:
        none_yet("API keys", "reflector api-key create --name NAME")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        click.echo(f"{key.id}  {key.name}  user={key.user_id}  {key.prefix}…  {state}")


@api_key.command("revoke")
@click.argument("name_or_id")
def api_key_revoke(name_or_id: str) -> None:
    """Revoke a key by its name or id; requests with it are refused from now on."""
    try:
        revoked = with_runtime(lambda rt: auth.revoke_api_key(rt.db, rt.clock, name_or_id))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if not revoked:
        raise click.ClickException(f"no active API key {name_or_id!r}")
    click.echo(f"revoked {name_or_id}")


@click.group("users")
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
        with_runtime(lambda rt: users.create(rt.db, rt.clock, name, password))
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
    people = with_runtime(lambda rt: users.listing(rt.db))
    if not people:
        none_yet("users", "reflector users create NAME")
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
        gone = with_runtime(lambda rt: removal.delete_user(rt, name, reassign_to))
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
        done = with_runtime(lambda rt: exports.write_user_archive(rt, name, target))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(
        f"wrote {target}: {done.rooms} room(s), {done.meetings} meeting(s), "
        f"{done.transcripts} transcript(s), {done.answers} consent answer(s)"
    )
