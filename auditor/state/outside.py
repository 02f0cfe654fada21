"""What another window or process wrote to the open project: flags (a colleague's
`flags --import`, a review from a terminal, a second window) and runs (an `auditor infer` in a
terminal, which also replaces the places the window shows). SQLite's ``PRAGMA data_version``
changes when any other connection commits (reading it touches no page of the file), and only
then are the flag log's head and the latest run read; the app's own flags move the head
through ``seen`` and never count."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Change:
    flags: bool = False          # flag events were added elsewhere
    run: Optional[int] = None    # the latest model run, when another one was stored


NOTHING = Change()


class OutsideChanges:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.version = self._version()
        self.head, self.run = self._head(), self._run()

    def _version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def _head(self) -> tuple:
        # the log is append-only (a trigger refuses updates and deletes): its last id and size
        # change with every event, a revocation and a review included
        return tuple(self.conn.execute("SELECT MAX(event_id), COUNT(*) FROM flag_events")
                     .fetchone())

    def _run(self) -> Optional[int]:
        return self.conn.execute("SELECT MAX(run_id) FROM runs WHERE kind = 'model'").fetchone()[0]

    def seen(self) -> None:
        """After this process's own flags: the head they moved is not news — unless another
        connection committed too since the last look (then the next look reports both)."""
        if self._version() == self.version:
            self.head = self._head()

    def look(self) -> Change:
        """What other connections committed since the last look. A look never waits: while
        another process holds the file busy it is skipped until the next one."""
        wait_ms = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            version = self._version()
            if version == self.version:
                return NOTHING
            head, run = self._head(), self._run()
        except sqlite3.OperationalError:  # busy or locked: look again next time
            return NOTHING
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        self.version = version
        change = Change(flags=head != self.head, run=run if run != self.run else None)
        self.head, self.run = head, run
        return change
