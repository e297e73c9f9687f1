"""The `reflector` command against a real database (SQLite and PostgreSQL)."""

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reflector.cli import main


@pytest.fixture
def run(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = {"DATABASE_URL": database_url, "REFLECTOR_DATA_DIR": str(tmp_path)}

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return CliRunner().invoke(main, list(args), env=base | (env or {}), input=input)

    return invoke


def test_api_key_lifecycle(run):
    name = f"ci-{uuid.uuid4().hex[:8]}"
    unknown = run("api-key", "create", "--name", name, "--user", "robot")
    assert unknown.exit_code == 1
    assert "no user is named 'robot'" in unknown.output
    for user in ("robot", "another"):
        made = run("users", "create", user, "--api-only")
        assert made.exit_code == 0, made.output
        assert "acts by API keys only" in made.output
    created = run("api-key", "create", "--name", name, "--user", "robot")
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    assert created.output == key + "\n"
    assert key.startswith("rfl_")

    listed = run("api-key", "list")
    line = next(row for row in listed.output.splitlines() if f"  {name}  " in row)
    assert "user=robot" in line
    assert "active" in line
    assert key not in listed.output

    assert run("api-key", "create", "--name", name, "--user", "robot").exit_code == 1
    assert run("api-key", "create", "--name", name, "--user", "another").exit_code == 0
    ambiguous = run("api-key", "revoke", name)
    assert ambiguous.exit_code == 1
    assert "revoke it by id" in ambiguous.output
    key_id = line.split()[0]
    assert run("api-key", "revoke", key_id).exit_code == 0
    assert "revoked" in next(r for r in run("api-key", "list").output.splitlines() if key_id in r)
    again = run("api-key", "revoke", key_id)
    assert again.exit_code == 1
    assert "no active API key" in again.output


def test_users_are_created_with_a_prompted_password(run):
    name = f"u{uuid.uuid4().hex[:8]}"
    mismatch = run("users", "create", name, input="first password\nsecond password\n" * 3)
    assert mismatch.exit_code != 0
    assert "do not match" in mismatch.output
    created = run("users", "create", name, input="correct horse\ncorrect horse\n")
    assert created.exit_code == 0, created.output
    assert "correct horse" not in created.output
    assert f"{name}  created" in run("users", "list").output

    # A short password is asked for again at once; the second one is taken.
    retried = run("users", "create", f"x{name}", input="short\nlonger one\nlonger one\n")
    assert retried.exit_code == 0, retried.output
    assert "a password is 8 to 1024 characters" in retried.output
    short = run("users", "create", f"y{name}", env={"REFLECTOR_PASSWORD": "short"})
    assert short.exit_code == 2
    assert "a password is 8 to 1024 characters" in short.output
    taken = run("users", "create", name, input="correct horse\ncorrect horse\n")
    assert taken.exit_code == 1
    assert "already exists" in taken.output
    # A bad name is refused before any password is asked for.
    bad = run("users", "create", "Not A Name")
    assert bad.exit_code == 2
    assert "a user name is 1 to 64 characters" in bad.output
    assert "Password" not in bad.output

    assert run("users", "delete", name).exit_code == 0
    assert f"\n{name}  " not in "\n" + run("users", "list").output
    assert run("users", "delete", name).exit_code == 1


def test_rooms_can_be_scripted(run):
    name = f"room-{uuid.uuid4().hex[:8]}"
    created = run("rooms", "create", name, "--owner", "alice", "--shared")
    assert created.exit_code == 0, created.output
    room_id = created.output.strip()
    assert str(uuid.UUID(room_id)) == room_id
    assert f"{room_id}  {name}  platform=jitsi  owner=alice" in run("rooms", "list").output
    duplicate = run("rooms", "create", name, "--owner", "bob")
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output
    bad = run("rooms", "create", "Bad Name", "--owner", "bob")
    assert bad.exit_code == 1
    unknown = run("rooms", "create", "x-" + name, "--owner", "bob", "--platform", "zoom")
    assert "unknown platform" in unknown.output


def test_migrate_is_idempotent(run):
    assert run("migrate").exit_code == 0
    assert run("migrate").exit_code == 0


def test_every_command_says_what_it_does():
    def commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            found.append((f"{prefix} {name}", command))
            if isinstance(command, click.Group):
                found += commands(command, f"{prefix} {name}")
        return found

    silent = [name for name, command in commands(main, "reflector") if not command.help]
    assert silent == []


def test_a_worker_without_its_model_stops_in_one_line(run):
    offline = {"TRANSCRIPTION_MODEL": "small", "HF_HUB_OFFLINE": "1"}
    result = run("worker", "--queues", "transcription", env=offline)
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith("Error: TRANSCRIPTION_MODEL: 'small' is not on this machine")
    assert "HF_HUB_OFFLINE" in line
    assert "pip install 'reflector[models]'" in line


def test_what_the_service_writes_is_its_users_alone(tmp_path):
    data = tmp_path / "data"
    reflector = str(Path(sys.executable).parent / "reflector")
    env = {
        "PATH": os.environ["PATH"],
        "REFLECTOR_DATA_DIR": str(data),
        "REFLECTOR_PASSWORD": "x" * 12,
    }
    subprocess.run(
        [reflector, "users", "create", "carol"], env=env, check=True, capture_output=True
    )
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    database = data / "reflector.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_a_deleted_users_rooms_go_with_them_or_to_someone_else(run):
    tag = uuid.uuid4().hex[:6]
    bob, carol, dave = f"bob{tag}", f"carol{tag}", f"dave{tag}"
    for user in (bob, carol, dave):
        assert run("users", "create", user, "--api-only").exit_code == 0
    assert run("rooms", "create", f"{bob}-room", "--owner", bob).exit_code == 0
    assert run("rooms", "create", f"{carol}-room", "--owner", carol).exit_code == 0

    gone = run("users", "delete", bob)
    assert gone.output == (
        f"deleted {bob}; deleted their 1 room(s) with everything in them: 0 meeting(s), "
        "0 recording(s) with their files, 0 transcript(s)\n"
    )
    assert run("users", "create", bob, "--api-only").exit_code == 0
    assert f"owner={bob}" not in run("rooms", "list").output  # the new bob starts with nothing

    nobody = run("users", "delete", carol, "--reassign-to", "nobody-at-all")
    assert nobody.exit_code == 1
    assert "no other user is named 'nobody-at-all'" in nobody.output
    given = run("users", "delete", carol, "--reassign-to", dave)
    assert given.output == (
        f"deleted {carol}; gave their 1 room(s) to {dave}: 0 meeting(s), "
        "0 recording(s) with their files, 0 transcript(s)\n"
    )
    assert f"{carol}-room  platform=jitsi  owner={dave}" in run("rooms", "list").output


def test_an_empty_list_says_so_on_standard_error(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}",
        "REFLECTOR_DATA_DIR": str(tmp_path),
    }
    for group, said in [
        ("users", "no users yet"),
        ("rooms", "no rooms yet"),
        ("api-key", "no API keys yet"),
    ]:
        listed = CliRunner().invoke(main, [group, "list"], env=env)
        assert listed.exit_code == 0, listed.output
        assert (listed.stdout, said in listed.stderr) == ("", True), group


def test_help_lists_every_command_with_its_whole_first_sentence():
    listed = CliRunner().invoke(main, ["--help"], terminal_width=80)
    commands = listed.output.split("Commands:")[1]
    assert "..." not in commands
    assert "Run the periodic scheduler alone (exactly one per deployment)." in listed.output
    serve = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "Address to listen on" in serve
    assert "Port to listen on." in serve


def test_retention_says_what_it_would_delete_and_users_export_writes_a_zip(run, tmp_path):
    dry = run("retention", "run", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "nothing is due for deletion" in dry.output
    name = f"erin{uuid.uuid4().hex[:6]}"
    assert run("users", "create", name, "--api-only").exit_code == 0
    written = run("users", "export", name)
    assert written.exit_code == 0, written.output
    assert written.output.startswith(f"wrote {name}-reflector.zip: 0 room(s)")
    assert (tmp_path / f"{name}-reflector.zip").stat().st_size > 0
    unknown = run("users", "export", "nobody-here")
    assert unknown.exit_code == 1
    assert "no user is named 'nobody-here'" in unknown.output
