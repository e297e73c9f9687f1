"""The declarative base every table derives from, and what Alembic compares."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, MetaData
from sqlalchemy.orm import DeclarativeBase

from reflector.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


# Search structures migration 0011 creates per database, outside the models: FTS5's table
# and its shadow tables on SQLite, the GIN index on PostgreSQL.
_SEARCH_OBJECTS = ("transcript_search", "ix_transcripts_text_search")


def in_models(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's comparisons (`include_name`): leave the search structures out."""
    return not (name or "").startswith(_SEARCH_OBJECTS)
