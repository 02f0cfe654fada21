"""The open project as the app sees it: its path, one connection for the GUI thread, and the
latest model run."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Optional

from auditor.maps.basemap import project_basemap
from auditor.store import open_project
from auditor.store.lookups import ProjectCounts, project_counts
from auditor.store.queries import latest_run_id


class OpenProject:
    def __init__(self, path: str | Path, create: bool = False):
        self.path = Path(path).resolve()
        # UserError for a file that is not a project, before anything else changes
        self.conn: sqlite3.Connection = open_project(self.path, create=create)
        self.run_id: Optional[int] = latest_run_id(self.conn)
        # the project's own basemap: a choice made for one project never reaches another
        self.basemap: str = project_basemap(self.conn)

    def counts(self) -> ProjectCounts:
        return project_counts(self.conn, self.run_id)

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass
