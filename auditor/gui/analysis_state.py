"""The analysis report of the open project, computed off the GUI thread and cached per run.

build_report (the same dict `auditor report --json` prints) plus the place ids of every error
tree node (slice_members' answer for each node), so a click on a node filters the browser at
once. The worker opens its own connection: a sqlite3 connection belongs to one thread at a time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Signal

from auditor.errors import UserError
from auditor.gui.workers import Job
from auditor.progress import Progress

log = logging.getLogger("auditor.gui.analysis")

CACHE_RUNS = 4  # reports kept (a 5,000-vehicle report is a few MB)
_NEVER_MS = 2**31 - 1  # the job's progress dialog never pops up: progress shows in the dock


@dataclass
class Analysis:
    run_id: int
    report: dict
    tree_members: dict[int, list[str]] = field(default_factory=dict)
    # (metadata column or "schedule", value) -> labelled place ids: a population row's click
    population_places: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _tree_node_ids(node: Optional[dict]) -> list[int]:
    if not node:
        return []
    return [node["id"]] + [i for c in node["children"] for i in _tree_node_ids(c)]


def compute_analysis(path: Path, run_id: Optional[int], progress: Optional[Progress] = None
                     ) -> Analysis:
    """The report and the error tree's node members of ``run_id`` (default: latest run)."""
    from auditor.analysis import frames
    from auditor.analysis.error_tree import design_matrix, members
    from auditor.analysis.populations import population_members
    from auditor.analysis.report import build_report
    from auditor.store import open_project
    conn = open_project(path, create=False)
    try:
        frames_of_report: dict = {}
        report = build_report(conn, run_id, progress, keep=frames_of_report)
        rid = int(report["run_id"])
        ids = _tree_node_ids(report["error_tree"].get("root"))
        tree_members: dict[int, list[str]] = {}
        if ids:
            # the design matrix once; members() refits the (deterministic) tree per node
            lab = frames.labelled(frames.predictions(conn, rid))
            X, _ = design_matrix(lab, frames.place_features(conn), frames.vehicle_metadata(conn))
            for k, i in enumerate(ids):
                if progress is not None:  # lets Cancel stop between nodes
                    progress(k, len(ids), "error tree slices")
                tree_members[i] = members(lab, X, i)
        populations = population_members(frames_of_report["predictions"],
                                         frames_of_report["metadata"],
                                         frames_of_report["schedule"])
        return Analysis(rid, report, tree_members, populations)
    finally:
        conn.close()


# shared by every window of the process: the report depends only on the project and the run
_CACHE: dict[tuple[str, int], Analysis] = {}


class AnalysisLoader(QObject):
    """Starts the computation when a project opens or a run appears; one cached Analysis per
    (project, run). ``ready`` carries the Analysis; ``failed`` a one-line message."""
    started = Signal()
    progressed = Signal(str)
    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cache = _CACHE
        self.job: Optional[Job] = None
        self._unfinished: set[Job] = set()  # incl. cancelled ones still winding down
        self._token = 0
        self.computations = 0  # how many times a report was computed (not served from cache)

    def load(self, path: Path, run_id: Optional[int]) -> Optional[Analysis]:
        """Serve from the cache (returned, and ``ready`` emitted) or start a job."""
        self.cancel()
        self._token += 1
        if run_id is None:
            self.failed.emit("No inference run yet: run Run ▸ Infer to see the analysis.")
            return None
        key = (str(Path(path).resolve()), int(run_id))
        if key in self.cache:
            self.ready.emit(self.cache[key])
            return self.cache[key]
        token = self._token
        self.computations += 1
        job = Job(None, "Computing the analysis report",
                  lambda progress: compute_analysis(Path(path), run_id, progress),
                  show_errors=False)
        job.dialog.setMinimumDuration(_NEVER_MS)
        job.runner.progressed.connect(
            lambda done, total, msg: token == self._token and self.progressed.emit(
                f"Computing the analysis… {msg}" + (f" ({done:.0f}/{total:.0f})" if total else "")))
        job.succeeded.connect(lambda result: self._done(token, key, result))
        job.failed.connect(lambda exc: self._failed(token, exc))
        self.job = job
        self._unfinished.add(job)
        job.finished.connect(lambda: self._unfinished.discard(job))
        self.started.emit()
        job.start()
        return None

    def _done(self, token: int, key: tuple[str, int], result: Analysis) -> None:
        self.cache[key] = result
        while len(self.cache) > CACHE_RUNS:  # oldest first (dicts keep insertion order)
            self.cache.pop(next(iter(self.cache)))
        if token == self._token:
            self.job = None
            self.ready.emit(result)

    def _failed(self, token: int, exc: BaseException) -> None:
        if token != self._token:
            return
        self.job = None
        if isinstance(exc, UserError):
            self.failed.emit(str(exc))
        else:
            log.error("analysis report failed", exc_info=exc)
            self.failed.emit(f"The analysis failed: {type(exc).__name__}: {exc} (see the log)")

    @property
    def busy(self) -> bool:
        return self.job is not None and not self.job.is_finished

    def cancel(self, wait_ms: int = 0) -> None:
        """Stop listening to running jobs (each stops at its next progress step); with
        ``wait_ms``, block until their threads end (before the window or process goes away)."""
        self._token += 1
        self.job = None
        for job in list(self._unfinished):
            if not job.is_finished:
                job.cancel()
                if wait_ms:
                    job.runner.wait(wait_ms)
