"""Whether the broker answers, for `/health` and the start-up warning of `reflector serve`."""

import logging

from kombu.connection import Connection

from reflector.config.settings import Settings

logger = logging.getLogger(__name__)
EMBEDDED_TRANSPORT = "reflector.worker.sqlite_broker:Transport"
_TIMEOUT_SECONDS = 2.0


def unreachable(settings: Settings) -> str | None:
    """None if the broker answers now, else why not, with any password masked. Blocking:
    call it from a thread."""
    transport = EMBEDDED_TRANSPORT if settings.broker_is_embedded else None
    connection = Connection(
        settings.broker_url, transport=transport, connect_timeout=_TIMEOUT_SECONDS
    )
    try:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu raises the transport's own errors as well as its own
        reason = f"cannot reach the broker at {connection.as_uri()}: {exc}"
        logger.debug("%s", reason, exc_info=True)
        return reason
    finally:
        connection.release()
    return None
