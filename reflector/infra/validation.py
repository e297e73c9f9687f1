"""String types that every database can store: no NUL, no lone surrogates, bounded length."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints, ValidationError
from pydantic_core import ErrorDetails


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


SafeStr = Annotated[str, AfterValidator(_storable), StringConstraints(max_length=255)]
UrlStr = Annotated[str, AfterValidator(_storable), StringConstraints(max_length=2048)]


def message(error: ErrorDetails) -> str:
    """An error's message as our validators wrote it, without pydantic's "Value error, ".

    A text's length is told in characters: a constraint that comes after a validator is
    checked by pydantic as any sized value's, and would say "items"."""
    context = error.get("ctx") or {}
    if error["type"] in ("too_long", "too_short") and isinstance(error.get("input"), str):
        bound = "at most" if error["type"] == "too_long" else "at least"
        limit = context.get("max_length" if error["type"] == "too_long" else "min_length")
        return f"must be {bound} {limit} characters long (it is {len(error['input'])})"
    return error["msg"].removeprefix("Value error, ")


def first_error(exc: ValidationError) -> str:
    """The first problem of a failed validation, as `where: what`, without the input."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {message(error)}"
