"""One error hierarchy, classified by what the caller should do next.

Adapters translate vendor failures into these with `raise ... from exc`.
"""


class PlatformError(Exception):
    """A video platform could not do what was asked."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(f"{platform}: {message}")
        self.platform = platform
        self.message = message


class PlatformUnavailable(PlatformError):
    """Transient: timeouts, connection failures, 5xx, rate limits. Retry, or fall back."""


class PlatformAuthError(PlatformError):
    """Our credentials were refused. An operator must fix the configuration."""


class PlatformRequestError(PlatformError):
    """The platform refused the request itself. Retrying the same request will not help."""


class RoomNotFound(PlatformError):
    """The platform room does not exist (any more). Deleting it is then already done."""


class PlatformNotConfigured(PlatformError):
    """The platform is unknown, disabled, or missing required settings."""
