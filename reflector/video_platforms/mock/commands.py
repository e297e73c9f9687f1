"""`reflector mock ...`: the mock platform's own API, and its recordings poll on demand."""

import click
import uvicorn

from reflector.video_platforms.mock.settings import MockSettings
from reflector.video_platforms.mock.tasks import poll_recordings
from reflector.video_platforms.mock.vendor import MockVendor
from reflector.video_platforms.spec import CommandContext


@click.group("mock")
def commands() -> None:
    """The mock platform: its vendor API, and its recordings."""


@commands.command("api")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=1251, show_default=True, type=click.IntRange(1, 65535))
def api(host: str, port: int) -> None:
    """Serve the mock platform's REST API; point MOCK_API_URL at it.

    With MOCK_API_KEY set, callers must send it as a bearer token. State is kept in memory.
    """
    key = MockSettings().api_key
    vendor = MockVendor(key.get_secret_value() if key else None)
    uvicorn.run(vendor.app(), host=host, port=port)


@commands.command("poll-recordings")
@click.pass_obj
def poll(services: CommandContext) -> None:
    """Ask the mock platform's API for finished recordings we do not have, now."""
    found = services.run(poll_recordings)
    click.echo(f"{found} new recording(s) found")
