"""A run's analysis as the app holds it: the report (the same dict `auditor report --json`
prints) and each analysis' place index, computed together from one connection of its own (a
sqlite3 connection belongs to one thread at a time), and a small cache keyed by the run's
identity — run id, creation time and input hash — so a project rebuilt under the same path
never serves the old fleet's report."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable, Optional

from auditor.analysis.entry import PlaceIndex
from auditor.progress import Progress

RunIdentity = tuple  # (run_id, created_at, data_hash)


@dataclass
class Analysis:
    run_id: int
    identity: RunIdentity
    report: dict
    places: dict[str, PlaceIndex] = field(default_factory=dict)

    def places_of(self, key: str, selector: Hashable) -> list[str]:
        """The places a row / node / cell of analysis ``key`` means ([] when none)."""
        return list(self.places.get(key, {}).get(selector, []))


def run_identity(conn, run_id: int) -> RunIdentity:
    from auditor.store.queries import read_run
    run = read_run(conn, int(run_id))
    return (int(run["run_id"]), run["created_at"], run["data_hash"])


def compute_analysis(path: str | Path, run_id: Optional[int] = None,
                     progress: Optional[Progress] = None) -> Analysis:
    """Every registered analysis of ``run_id`` (default: the latest model run) of the project
    at ``path``, with the place indexes the views click through."""
    from auditor.analysis.report import run_analyses
    from auditor.store import open_project
    conn = open_project(Path(path), create=False, readonly=True)  # a reader: query_only
    try:
        report, places = run_analyses(conn, run_id, progress, with_places=True)
        rid = int(report["run_id"])
        return Analysis(rid, run_identity(conn, rid), report, places)
    finally:
        conn.close()


class AnalysisCache:
    """The last few analyses, by run identity (a 5,000-vehicle report is a few MB)."""

    def __init__(self, size: int = 4):
        self.size = size
        self._items: OrderedDict[RunIdentity, Analysis] = OrderedDict()

    def get(self, identity: RunIdentity) -> Optional[Analysis]:
        found = self._items.get(identity)
        if found is not None:
            self._items.move_to_end(identity)
        return found

    def put(self, analysis: Analysis) -> None:
        self._items[analysis.identity] = analysis
        self._items.move_to_end(analysis.identity)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __contains__(self, identity: RunIdentity) -> bool:
        return identity in self._items

    def __len__(self) -> int:
        return len(self._items)


# shared by every window of the process: an analysis depends only on the run
CACHE = AnalysisCache()
