"""People who sign in to the web pages: names and argon2 password hashes."""

import asyncio
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from reflector.db import Database, User
from reflector.infra.clock import Clock
from reflector.infra.errors import Conflict, InvalidField

USER_NAME_PATTERN = r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$"
USER_NAME_RULES = (
    "1 to 64 characters: lowercase letters a-z, digits, dots, underscores and hyphens, "
    "starting and ending with a letter or a digit"
)
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1024

_hasher = PasswordHasher()
# Verified against when the name is unknown, so that a wrong name costs what a wrong password
# does and the timing does not tell which names exist.
_UNKNOWN_USER_HASH = _hasher.hash("no such user")


def check_name(name: str) -> str:
    if not re.fullmatch(USER_NAME_PATTERN, name):
        raise InvalidField(("name",), f"a user name is {USER_NAME_RULES}")
    return name


def check_password(password: str) -> str:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidField(
            ("password",),
            f"a password is {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters",
        )
    return password


async def create(db: Database, clock: Clock, name: str, password: str | None) -> User:
    """A user; with no password, one who uses the API only (its keys) and never signs in."""
    check_name(name)
    password_hash = ""  # no argon2 hash: never matches a password
    if password is not None:
        check_password(password)
        password_hash = await asyncio.to_thread(_hasher.hash, password)
    async with db.write() as session:
        if await session.scalar(select(User.id).where(User.name == name)) is not None:
            raise Conflict(f"a user named {name!r} already exists")
        user = User(name=name, password_hash=password_hash, created_at=clock())
        session.add(user)
    return user


async def verify(db: Database, name: str, password: str) -> User | None:
    """The user if the password is theirs; None for a wrong name or password alike."""
    async with db.read() as session:
        user = await session.scalar(select(User).where(User.name == name))
    stored = user.password_hash if user else _UNKNOWN_USER_HASH
    try:
        await asyncio.to_thread(_hasher.verify, stored, password[:PASSWORD_MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        return None
    return user


async def exists(db: Database, name: str) -> bool:
    async with db.read() as session:
        return await session.scalar(select(User.id).where(User.name == name)) is not None


async def listing(db: Database) -> list[User]:
    async with db.read() as session:
        return list((await session.scalars(select(User).order_by(User.name))).all())
