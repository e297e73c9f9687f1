"""Watching webhook authentication, so that a broken feed is noticed before the sender gives up.

Daily disables an endpoint after a few failed deliveries; an operator should see repeated
authentication failures first.
"""

import logging

from reflector.infra.metrics import WEBHOOK_REQUESTS

logger = logging.getLogger(__name__)
ALERT_AFTER = 3


class WebhookAuthMonitor:
    def __init__(self) -> None:
        self._failures_in_a_row: dict[str, int] = {}

    def verified(self, platform: str) -> None:
        WEBHOOK_REQUESTS.labels(platform, "verified").inc()
        self._failures_in_a_row[platform] = 0

    def rejected(self, platform: str) -> None:
        WEBHOOK_REQUESTS.labels(platform, "rejected").inc()
        streak = self._failures_in_a_row.get(platform, 0) + 1
        self._failures_in_a_row[platform] = streak
        if streak % ALERT_AFTER == 0:
            logger.error(
                "WEBHOOK_AUTH_FAILING platform=%s: %d webhook deliveries in a row failed "
                "authentication; check the platform's webhook secret",
                platform,
                streak,
            )
