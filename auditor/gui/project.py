"""The open project as the GUI sees it: one read connection, the latest run, quick counts."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from auditor.store import open_project
from auditor.store.queries import latest_run_id


@dataclass
class ProjectCounts:
    vehicles: int
    places: int
    trips: int
    labelled_places: int
    flags: int


class Project:
    def __init__(self, path: str | Path, create: bool = False):
        self.path = Path(path).resolve()
        self.conn: sqlite3.Connection = open_project(self.path, create=create)
        self.run_id: Optional[int] = latest_run_id(self.conn)

    def refresh_run(self) -> None:
        self.run_id = latest_run_id(self.conn)

    def counts(self) -> ProjectCounts:
        one = lambda sql, *p: int(self.conn.execute(sql, p).fetchone()[0] or 0)  # noqa: E731
        # vehicles from the small tables: counting DISTINCT over 20M pings would stall the UI
        return ProjectCounts(
            vehicles=one("SELECT COUNT(*) FROM (SELECT vehicle_id FROM places UNION "
                         "SELECT vehicle_id FROM vehicles)"),
            places=one("SELECT COUNT(*) FROM places"),
            trips=one("SELECT COUNT(*) FROM trips"),
            labelled_places=one("SELECT COUNT(*) FROM predictions WHERE run_id = ? AND "
                                "given_label IS NOT NULL", self.run_id),
            flags=one("SELECT COUNT(*) FROM flags_in_force"),
        )

    def first_place_of(self, vehicle_id: str) -> Optional[str]:
        row = self.conn.execute("SELECT place_id FROM places WHERE vehicle_id = ? "
                                "ORDER BY place_id LIMIT 1", (vehicle_id,)).fetchone()
        return row[0] if row else None

    def has_vehicle(self, vehicle_id: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM places WHERE vehicle_id = ? UNION ALL SELECT 1 FROM vehicles "
            "WHERE vehicle_id = ? UNION ALL SELECT 1 FROM trips WHERE vehicle_id = ? LIMIT 1",
            (vehicle_id, vehicle_id, vehicle_id)).fetchone() is not None

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:
            pass
