"""The `reflector` command against a real database (SQLite and PostgreSQL)."""

import uuid

import click
import pytest
from click.testing import CliRunner

from reflector.cli import main


@pytest.fixture
def run(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database_url, "REFLECTOR_DATA_DIR": str(tmp_path)}

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), env=env)

    return invoke


def test_api_key_lifecycle(run):
    name = f"ci-{uuid.uuid4().hex[:8]}"
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

    assert run("api-key", "create", "--name", name).exit_code == 1
    assert run("api-key", "revoke", name).exit_code == 0
    assert "revoked" in next(r for r in run("api-key", "list").output.splitlines() if name in r)
    again = run("api-key", "revoke", name)
    assert again.exit_code == 1
    assert "no active API key" in again.output


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
