"""Opening a project file: WAL, foreign keys, migrations."""
from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import UserError
from auditor.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_MAGIC = b"SQLite format 3\x00"


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed txn
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -65536")   # 64 MiB page cache


def check_is_project(path: Path) -> None:
    """Refuse files that exist but are not SQLite, before SQLite touches them."""
    if path.exists():
        if path.is_dir():
            raise UserError(f"{path} is a folder; give a project file such as {path / 'project.db'}")
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head and head != SQLITE_MAGIC:
            raise UserError(f"{path} is not an auditor project (not a SQLite file); choose another name")


def migrate(conn: sqlite3.Connection) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise UserError(
            f"project was written by a newer auditor (schema {current} > {SCHEMA_VERSION}); upgrade auditor"
        )
    for version in range(current, SCHEMA_VERSION):
        with transaction(conn):
            for statement in _split_sql(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit on its own)."""
    statements, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            statements.append(text)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        statements.append(rest)
    return statements


def open_project(path: str | Path, create: bool = True) -> sqlite3.Connection:
    """Open (and if allowed create) a project; always returns a migrated connection."""
    path = Path(path)
    check_is_project(path)
    if not path.exists() and not create:
        raise UserError(f"{path}: no such project; create one with 'auditor ingest {path} FILE'")
    if not path.parent.exists():
        raise UserError(f"{path}: folder {path.parent} does not exist; create it first")
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        _configure(conn)
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path}: cannot open project ({exc}); is it an auditor project?") from exc
    return conn


def db(conn: sqlite3.Connection) -> "sqlite_utils.Database":
    """sqlite-utils view of a connection, for schema work (derived tables, introspection)."""
    import sqlite_utils  # here: it pulls in pandas/numpy, ~0.9 s of the GUI's start
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection):
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (including KeyboardInterrupt)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
