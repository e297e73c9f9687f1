"""`reflector daily webhook register URL | status | reactivate`
(docs/platforms/daily.md#managing-the-webhook)."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from reflector.jobs import JobContext
from reflector.video_platforms.daily.api import Webhook
from reflector.video_platforms.daily.client import DailyClient
from reflector.video_platforms.errors import PlatformError
from reflector.video_platforms.spec import CommandContext

T = TypeVar("T")


@click.group("daily")
def commands() -> None:
    """Daily.co administration."""


@commands.group("webhook")
def webhook() -> None:
    """The domain's webhook, which Daily disables after three failed deliveries."""


def _show(hook: Webhook) -> str:
    return (
        f"{hook.uuid}  {hook.url}  state={hook.state}  failedCount={hook.failed_count}  "
        f"events={','.join(hook.event_types)}"
    )


def _run(services: CommandContext, work: Callable[[JobContext], Awaitable[T]]) -> T:
    try:
        return services.run(work)
    except PlatformError as exc:
        raise click.ClickException(str(exc)) from None


@webhook.command("register")
@click.argument("url")
@click.pass_obj
def register(services: CommandContext, url: str) -> None:
    """Create the webhook for URL (…/v1/daily/webhook) with DAILY_WEBHOOK_SECRET.

    Daily probes URL first: the service must be running and reachable there.
    """

    async def work(ctx: JobContext) -> Webhook:
        client = ctx.platforms.of(DailyClient)
        secret = client.settings.webhook_secret
        if secret is None:
            raise click.ClickException("set DAILY_WEBHOOK_SECRET first (openssl rand -base64 32)")
        return await client.api.create_webhook(url, secret.get_secret_value())

    click.echo(_show(_run(services, work)))


@webhook.command("status")
@click.pass_obj
def status(services: CommandContext) -> None:
    """The domain's webhooks, their state and failed deliveries."""

    async def work(ctx: JobContext) -> list[Webhook]:
        return await ctx.platforms.of(DailyClient).api.webhooks()

    hooks = _run(services, work)
    for hook in hooks:
        click.echo(_show(hook))
    if not hooks:
        click.echo(
            "no webhook; run: reflector daily webhook register https://<host>/v1/daily/webhook"
        )


@webhook.command("reactivate")
@click.pass_obj
def reactivate(services: CommandContext) -> None:
    """Reactivate every FAILED webhook (Daily probes its URL again)."""

    async def work(ctx: JobContext) -> list[Webhook]:
        api = ctx.platforms.of(DailyClient).api
        return [
            await api.reactivate_webhook(hook)
            for hook in await api.webhooks()
            if hook.state != "ACTIVE"
        ]

    hooks = _run(services, work)
    for hook in hooks:
        click.echo(_show(hook))
    if not hooks:
        click.echo("every webhook is active")
