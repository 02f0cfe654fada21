"""Flags another window or process wrote to the open project: a colleague's `flags --import`,
a review from a terminal, a second window. SQLite's ``PRAGMA data_version`` changes when any
other connection commits (reading it touches no page of the file), and only then is the flag
log's head read; the app's own flags move the head through ``seen`` and never count."""
from __future__ import annotations

import sqlite3


class OutsideFlags:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.version = self._version()
        self.head = self._head()

    def _version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def _head(self) -> tuple:
        # the log is append-only (a trigger refuses updates and deletes): its last id and size
        # change with every event, a revocation and a review included
        return tuple(self.conn.execute("SELECT MAX(event_id), COUNT(*) FROM flag_events")
                     .fetchone())

    def seen(self) -> None:
        """After this process's own flags: the head they moved is not news — unless another
        connection committed too since the last look (then the next look reports both)."""
        if self._version() == self.version:
            self.head = self._head()

    def changed(self) -> bool:
        """Did another connection add flag events since the last look? A look never waits:
        while another process holds the file busy it is skipped (False) until the next one."""
        wait_ms = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            version = self._version()
            if version == self.version:
                return False
            head = self._head()
        except sqlite3.OperationalError:  # busy or locked: look again next time
            return False
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        self.version = version
        if head == self.head:
            return False
        self.head = head
        return True
