"""Errors of the core services, independent of HTTP; the app maps them to status codes."""


class ServiceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    pass


class Forbidden(ServiceError):
    pass


class Conflict(ServiceError):
    pass


class InvalidField(ServiceError):
    """A value that passed the schema but is wrong here (e.g. an unconfigured platform)."""

    def __init__(self, location: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.location = location
