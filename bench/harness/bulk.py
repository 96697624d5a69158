"""Loading a large corpus into PostgreSQL fast, the same way for Kontakt and for the peer.

Runs inside either application's Django (it needs only a connection): secondary indexes are
dropped, the rows are copied in blocks with FK triggers off (they are generated valid), and
the indexes are built again once, which is far quicker than maintaining them row by row.
"""

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any


def secondary_indexes(connection: Any, table: str) -> list[tuple[str, str]]:
    """Name and definition of the table's indexes that no constraint owns."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = %s AND NOT EXISTS (
                 SELECT 1 FROM pg_constraint c WHERE c.conindid =
                   (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)""",
            [table],
        )
        return list(cursor.fetchall())


def copy_load(
    connection: Any,
    tables: Sequence[tuple[str, Sequence[str]]],
    rows: Iterator[Sequence[Sequence[object]]],
    block: int = 50_000,
) -> None:
    """COPY generated rows into tables; each row item holds one row per table, in order."""
    indexes = [
        index for table, _columns in tables for index in secondary_indexes(connection, table)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        raw = cursor.cursor
        # One COPY at a time per connection: load in blocks, each table in turn.
        while chunk := list(islice(rows, block)):
            for part, (table, columns) in enumerate(tables):
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for item in chunk:
                        copy.write_row(item[part])
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
