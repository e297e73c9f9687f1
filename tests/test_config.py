"""Settings from the environment: invalid ones stop start-up naming the variable."""

import pytest
from click.testing import CliRunner

from reflector.app import create_app
from reflector.cli import main
from reflector.config.loading import Config, ConfigError, load_config
from reflector.video_platforms.registry import PLATFORMS
from tests.servers import free_port

SECRET = "a-mock-secret-that-is-long-enough-0123"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Each test starts from no configuration at all, in an empty directory."""
    monkeypatch.chdir(tmp_path)
    for name in [
        "DATABASE_URL",
        "AUTH_BACKEND",
        "DEFAULT_VIDEO_PLATFORM",
        "VIDEO_PLATFORM_FALLBACK",
        "DAILY_MIGRATION_ENABLED",
        "MOCK_PLATFORM_ENABLED",
        "MOCK_WEBHOOK_SECRET",
    ]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REFLECTOR_DATA_DIR", str(tmp_path / "data"))


def problems(monkeypatch, **env: str) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_config(PLATFORMS)
    return error.value.problems


def test_no_configuration_at_all_is_valid(tmp_path):
    config = load_config(PLATFORMS)
    assert config.settings.DEFAULT_VIDEO_PLATFORM == "jitsi"
    assert config.platforms["jitsi"].missing() == []
    assert config.settings.database_url == f"sqlite:///{tmp_path / 'data' / 'reflector.sqlite3'}"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MOCK_WEBHOOK_SECRET": "short"}, "MOCK_WEBHOOK_SECRET"),
        ({"MOCK_BASE_URL": "not a url"}, "MOCK_BASE_URL"),
        ({"MOCK_PLATFORM_ENABLED": "maybe"}, "MOCK_PLATFORM_ENABLED"),
        ({"JITSI_WEBHOOK_SECRET": "short"}, "JITSI_WEBHOOK_SECRET"),
        ({"JITSI_WEBHOOK_SECRET": "change-me-to-JITSI_WEBHOOK_SECRET"}, "JITSI_WEBHOOK_SECRET"),
        ({"JITSI_JWT_ALGORITHM": "none"}, "JITSI_JWT_ALGORITHM"),
        ({"JITSI_JWT_ALGORITHM": "RS256"}, "JITSI_JWT_PRIVATE_KEY"),
        ({"JITSI_JWT_ALGORITHM": "HS512", "JITSI_JWT_SECRET": "s" * 40}, "JITSI_JWT_SECRET"),
        ({"JITSI_JWT_SECRET": "s" * 40}, "JITSI_DOMAIN"),
        ({"JITSI_API_URL": "not a url"}, "JITSI_API_URL"),
        ({"AUTH_BACKEND": "password"}, "AUTH_BACKEND"),
        ({"DEFAULT_VIDEO_PLATFORM": "zoom"}, "DEFAULT_VIDEO_PLATFORM"),
        ({"DEFAULT_VIDEO_PLATFORM": "Not A Slug"}, "DEFAULT_VIDEO_PLATFORM"),
        ({"VIDEO_PLATFORM_FALLBACK": "zoom"}, "VIDEO_PLATFORM_FALLBACK"),
        ({"DATABASE_URL": "mysql://db/reflector"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite://"}, "DATABASE_URL"),
        ({"MEETING_DURATION_SECONDS": "-1"}, "MEETING_DURATION_SECONDS"),
        ({"DAILY_MIGRATION_ENABLED": "true"}, "DAILY_MIGRATION_TARGET"),
    ],
)
def test_invalid_settings_are_named(monkeypatch, env, named):
    found = problems(monkeypatch, **env)
    assert any(problem.startswith(f"{named}:") for problem in found), found


def test_a_short_secret_is_measured_in_characters(monkeypatch):
    found = problems(monkeypatch, MOCK_WEBHOOK_SECRET="short")
    assert found == ["MOCK_WEBHOOK_SECRET: must be at least 32 characters long"]


def test_an_unconfigured_default_platform_says_what_is_missing(monkeypatch):
    found = problems(monkeypatch, MOCK_PLATFORM_ENABLED="false", DEFAULT_VIDEO_PLATFORM="mock")
    assert found == [
        "DEFAULT_VIDEO_PLATFORM: platform 'mock' is not configured; set MOCK_PLATFORM_ENABLED=true"
    ]


def test_settings_come_from_the_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text(f"MOCK_WEBHOOK_SECRET={SECRET}\nMEETING_DURATION_SECONDS=600\n")
    config = load_config(PLATFORMS)
    assert config.settings.MEETING_DURATION_SECONDS == 600
    assert config.platforms["mock"].webhook_secret.get_secret_value() == SECRET


def test_migration_room_ids_are_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("DAILY_MIGRATION_ROOM_IDS", " a, b ,,c")
    assert {"a", "b", "c"} == load_config(PLATFORMS).settings.DAILY_MIGRATION_ROOM_IDS


def test_platforms_command_shows_state_with_secrets_masked(monkeypatch):
    monkeypatch.setenv("MOCK_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("JITSI_JWT_SECRET", SECRET)
    monkeypatch.setenv("JITSI_DOMAIN", "meet.example.com")
    result = CliRunner().invoke(main, ["platforms"])
    assert result.exit_code == 0, result.output
    assert "jitsi (default): configured" in result.output
    assert "mock: configured" in result.output
    assert "JITSI_JWT_SECRET=**********" in result.output
    assert "MOCK_WEBHOOK_SECRET=**********" in result.output
    assert SECRET not in result.output


def test_platforms_command_says_what_is_missing(monkeypatch):
    monkeypatch.setenv("MOCK_PLATFORM_ENABLED", "false")
    monkeypatch.setenv("DEFAULT_VIDEO_PLATFORM", "mock")
    result = CliRunner().invoke(main, ["platforms"])
    assert result.exit_code == 2
    assert "MOCK_PLATFORM_ENABLED=true" in result.output


def test_invalid_setting_stops_the_cli_with_its_name(monkeypatch):
    monkeypatch.setenv("MOCK_WEBHOOK_SECRET", "short")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "MOCK_WEBHOOK_SECRET" in result.output


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL: not a database URL"),
        (
            {"DATABASE_URL": "postgresql://nobody-at-all@127.0.0.1:5432/test"},
            'DATABASE_URL: cannot use the database: role "nobody-at-all" does not exist',
        ),
        ({"REFLECTOR_DATA_DIR": "/proc/nope"}, "REFLECTOR_DATA_DIR: cannot create /proc/nope"),
        ({"MOCK_WEBHOOK_SECRET": "short"}, "MOCK_WEBHOOK_SECRET: must be at least 32 characters"),
    ],
)
@pytest.mark.parametrize(
    "command", [["serve", "--port", str(free_port())], ["worker"], ["migrate"]]
)
def test_start_up_errors_are_one_line_naming_the_setting(monkeypatch, env, said, command):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert result.output.startswith(f"Error: {said}"), result.output
    assert "Traceback" not in result.output


def test_a_sqlite_database_in_a_missing_directory_is_refused_not_created(monkeypatch, tmp_path):
    missing = tmp_path / "missing" / "dir"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}/reflector.sqlite3")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert f"DATABASE_URL: the directory {missing} does not exist" in result.output
    assert not missing.exists()


def test_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody-at-all@127.0.0.1:5432/test")
    result = CliRunner().invoke(main, ["--debug", "migrate"])
    assert result.exit_code != 0
    assert result.exception is not None
    assert "nobody-at-all" in str(result.exception)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.org"])
def test_serve_refuses_no_auth_off_loopback(monkeypatch, host):
    monkeypatch.setenv("AUTH_BACKEND", "none")
    result = CliRunner().invoke(main, ["serve", "--host", host])
    assert result.exit_code == 2
    assert "refusing to bind" in result.output


def test_a_previous_secret_needs_a_current_one(monkeypatch):
    monkeypatch.delenv("MOCK_WEBHOOK_SECRET", raising=False)
    found = problems(monkeypatch, MOCK_WEBHOOK_SECRET_PREVIOUS=SECRET)
    wanted = "MOCK_WEBHOOK_SECRET_PREVIOUS is only accepted beside a new MOCK_WEBHOOK_SECRET"
    assert wanted in found, found


async def test_a_registered_platform_without_settings_stops_start_up(tmp_path):
    config = load_config(PLATFORMS)
    lacking = Config(settings=config.settings, platforms={"jitsi": config.platforms["jitsi"]})
    app = create_app(lacking, relay=False)
    with pytest.raises(ConfigError, match="no settings loaded for platform 'mock'"):
        async with app.router.lifespan_context(app):
            pass


def test_a_platform_setting_is_explained_in_our_words(monkeypatch):
    found = problems(
        monkeypatch, DAILY_API_KEY="daily-key-0123", DAILY_WEBHOOK_SECRET="not base64!"
    )
    assert found == ["DAILY_WEBHOOK_SECRET: must be base64, as Daily issues it"]
