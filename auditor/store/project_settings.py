"""Settings that belong to one project, not to the user (e.g. the basemap: a project whose
homes may not go to a tile server must not inherit another project's choice). A small
key-value table, created by migration 2; text values."""
from __future__ import annotations

import sqlite3
from typing import Optional

from auditor.store.connection import transaction


def get_setting(conn: sqlite3.Connection, key: str, default: Optional[str] = None) -> Optional[str]:
    row = conn.execute("SELECT value FROM project_settings WHERE key = ?", (key,)).fetchone()
    return default if row is None else row[0]


def set_setting(conn: sqlite3.Connection, key: str, value: Optional[str]) -> None:
    """Store ``value`` under ``key`` (None removes it); committed at once."""
    with transaction(conn):
        if value is None:
            conn.execute("DELETE FROM project_settings WHERE key = ?", (key,))
        else:
            conn.execute("INSERT INTO project_settings (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         (key, str(value)))
