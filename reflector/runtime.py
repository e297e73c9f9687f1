"""The services one process holds for its lifetime: database, clock, platforms, inbox."""

from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from reflector.config.loading import Config
from reflector.db import Database
from reflector.inbox.auth_failures import WebhookAuthMonitor
from reflector.inbox.receiving import Inbox
from reflector.infra.clock import Clock, utcnow
from reflector.infra.storage import Storage, make_storage
from reflector.recordings.desk import RecordingsDesk
from reflector.rooms.desk import MeetingsDesk
from reflector.video_platforms.base import Capability, PlatformContext
from reflector.video_platforms.factory import Platforms
from reflector.video_platforms.spec import PlatformSpec


@dataclass(frozen=True)
class Runtime:
    config: Config
    db: Database
    clock: Clock
    platforms: Platforms
    inbox: Inbox
    webhook_auth: WebhookAuthMonitor
    storage: Storage
    recordings: RecordingsDesk
    meetings: MeetingsDesk

    @classmethod
    def open(
        cls,
        config: Config,
        specs: Sequence[PlatformSpec],
        *,
        clock: Clock = utcnow,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> "Runtime":
        db = Database(config.settings.database_url)
        context = PlatformContext(
            clock=clock,
            data_dir=config.settings.REFLECTOR_DATA_DIR / "platforms",
            http_transport=http_transport,
        )
        platforms = Platforms(specs, config, context)
        inbox = Inbox(db, clock, platforms.having(Capability.SERVER_RECORDING))
        return cls(
            config=config,
            db=db,
            clock=clock,
            platforms=platforms,
            inbox=inbox,
            webhook_auth=WebhookAuthMonitor(),
            storage=make_storage(config.settings),
            recordings=RecordingsDesk(db, clock, inbox),
            meetings=MeetingsDesk(db, clock),
        )

    async def aclose(self) -> None:
        await self.inbox.aclose()
        await self.platforms.aclose()
        await self.db.dispose()
