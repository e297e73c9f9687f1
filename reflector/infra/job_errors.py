"""How a job's failure is classified: worth retrying later, or final."""


class TransientJobError(Exception):
    """Worth retrying later: timeouts, connection failures, 5xx, rate limits."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentJobError(Exception):
    """Retrying the same job cannot help: the job fails with this reason."""
