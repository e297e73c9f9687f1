"""kombu's SQLAlchemy transport, tuned for the embedded SQLite broker.

Upstream passes every transport option to `create_engine`, so the virtual transport's own
`polling_interval` cannot be set; this channel builds the engine itself, with WAL and a busy
timeout so that several worker processes can share the broker file.
"""

from typing import Any

from kombu.transport import sqlalchemy
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in _PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


class Channel(sqlalchemy.Channel):
    def _engine_from_config(self) -> Engine:
        engine = create_engine(self.connection.client.hostname, connect_args={"timeout": 30})
        event.listen(engine, "connect", _pragmas)
        return engine


class Transport(sqlalchemy.Transport):
    Channel = Channel
