"""B7 for Jibri's session names: whatever the name, nothing outside the recordings directory."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflector.infra.errors import InvalidField, NotFound
from reflector.video_platforms.jitsi.jibri import SessionDirectory

HOSTILE = ["..", "../..", "../etc", "/etc", "a/../../etc", "%2e%2e", "..\\..", "a\x00b", "x" * 256]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A recordings directory with one real session, next to a secret it must not reach."""
    base = tmp_path_factory.mktemp("jibri")
    (base / "secret.mp4").write_bytes(b"not yours")
    (base / "secret-dir").mkdir()
    (base / "secret-dir" / "metadata.json").write_text("{}")
    (base / "secret-dir" / "a_2026-03-02-10-02-08.mp4").write_bytes(b"not yours")
    recordings = base / "recordings"
    session = recordings / "b71e4f2c-95a8-4d3e-8f06-2c9d1a7e5b34"
    session.mkdir(parents=True)
    (session / "metadata.json").write_text("{}")
    (session / "room_2026-03-02-10-02-08.mp4").write_bytes(b"media")
    (recordings / "link-out").symlink_to(base / "secret-dir")
    return recordings


def opened_or_refused(root: Path, name: str) -> SessionDirectory | None:
    try:
        return SessionDirectory.open(root, name)
    except (InvalidField, NotFound):
        return None


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused(root, name):
    with pytest.raises(InvalidField):
        SessionDirectory.open(root, name)


def test_a_real_session_opens(root):
    found = SessionDirectory.open(root, "b71e4f2c-95a8-4d3e-8f06-2c9d1a7e5b34")
    assert found.media.name == "room_2026-03-02-10-02-08.mp4"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.sampled_from(["..", "link-out", "recordings", ""]))
def test_no_name_reaches_outside_the_recordings_directory(root, name):
    found = opened_or_refused(root, name)
    if found is not None:
        resolved = root.resolve()
        for path in (found.media, found.metadata):
            assert path.resolve().is_relative_to(resolved)
            assert path.resolve() != resolved
