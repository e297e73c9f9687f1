"""Failure reasons as people read them: what went wrong, never where on the server."""

import re

# An absolute path of two or more segments, e.g. /srv/reflector/data/storage/recordings/x.
_PATH = re.compile(r"(?<![\w:/.])(?:/[^\s/'\"(),;:]+){2,}/?")


def for_people(reason: str) -> str:
    """`reason` with every server path cut down to its file name."""
    return _PATH.sub(lambda found: found.group(0).rstrip("/").rsplit("/", 1)[-1], reason)
