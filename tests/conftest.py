"""Fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server, trust auth); each test
session creates its own database there and drops it at the end.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from reflector.app import create_app
from reflector.config.loading import Config
from reflector.config.settings import Settings
from reflector.db.migrate import upgrade
from reflector.recordings.pipeline.engines import whisper, whisper_models
from reflector.runtime import Runtime
from reflector.video_platforms.mock import MockSettings
from reflector.video_platforms.registry import PLATFORMS
from reflector.video_platforms.spec import PlatformSpec
from tests.media import silence, video_with_speech
from tests.servers import moto_s3, s3_client, temporary_postgres_database
from tests.support import MOCK_SECRET, FakeClock, api_key_headers, empty_tables, platform_settings

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with temporary_postgres_database("reflector_test") as url:
        yield url


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> dict[str, str]:
    sqlite_file = tmp_path_factory.mktemp("db") / "reflector.sqlite3"
    urls = {"sqlite": f"sqlite:///{sqlite_file}", "postgresql": postgres_url}
    for url in urls.values():
        upgrade(url)
    return urls


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, migrated_urls: dict[str, str]) -> str:
    return migrated_urls[str(request.param)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def whisper_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default packaged model, joined and checked once for the whole session: each
    test's settings name its directory, so every test process loads it once."""
    return whisper_models.resolve(whisper.DEFAULT_MODEL, tmp_path_factory.mktemp("models"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path, whisper_model: Path) -> Settings:
    return Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        REFLECTOR_DATA_DIR=tmp_path,
        DEFAULT_VIDEO_PLATFORM="mock",
        TRANSCRIPTION_MODEL=str(whisper_model),
    )


@pytest.fixture
def mock_settings() -> MockSettings:
    return MockSettings(_env_file=None, webhook_secret=MOCK_SECRET)


@pytest.fixture
def config(settings: Settings, mock_settings: MockSettings) -> Config:
    return Config(
        settings=settings,
        platforms=platform_settings(mock=mock_settings),
    )


@pytest.fixture
def registry() -> tuple[PlatformSpec, ...]:
    """The platforms the app serves: the shipped registry, unless a test platform adds itself."""
    return PLATFORMS


@pytest.fixture
def http_transport() -> httpx.AsyncBaseTransport | None:
    """Where platform clients send HTTP; platform tests put a fake of the vendor here."""
    return None


@pytest.fixture
async def app(
    config: Config,
    registry: tuple[PlatformSpec, ...],
    clock: FakeClock,
    http_transport: httpx.AsyncBaseTransport | None,
) -> AsyncIterator[FastAPI]:
    app = create_app(
        config, specs=registry, clock=clock, http_transport=http_transport, relay=False
    )
    async with app.router.lifespan_context(app):
        await empty_tables(app.state.runtime)
        yield app


@pytest.fixture
def runtime(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reflector.test") as client:
        yield client


@pytest.fixture
async def alice(runtime: Runtime) -> dict[str, str]:
    return await api_key_headers(runtime, "alice")


@pytest.fixture
async def bob(runtime: Runtime) -> dict[str, str]:
    return await api_key_headers(runtime, "bob")


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def spoken_video(media_dir: Path) -> Path:
    """An mp4 with a video track and a spoken sentence (tests.media.SENTENCE)."""
    return video_with_speech(media_dir)


@pytest.fixture(scope="session")
def silent_recording(media_dir: Path) -> bytes:
    """An audio-only mp4 in which nobody speaks: processed in a moment, no model loaded."""
    return silence(media_dir / "silence.mp4").read_bytes()


@pytest.fixture(params=["local", "s3"])
def storage_bucket(request: pytest.FixtureRequest) -> str | None:
    """Runs a test on both storages: None for the local disk, else `<endpoint>/<bucket>`, a
    fresh bucket in the local S3 server (see tests/storages.py)."""
    if request.param == "local":
        return None
    endpoint = request.getfixturevalue("s3_endpoint")
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return f"{endpoint}/{name}"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint
