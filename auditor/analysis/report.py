"""The report the CLI prints and the GUI draws: one dict of plain JSON values, one section per
registered analysis (auditor.analysis.registry), in registry order."""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable, Optional, TypedDict

from auditor.analysis.entry import PlaceIndex
from auditor.analysis.registry import REGISTRY
from auditor.analysis.sections.agreement import AgreementSection
from auditor.analysis.sections.duplicates import DuplicateRow
from auditor.analysis.sections.error_tree import ErrorTreeSection
from auditor.analysis.sections.evidence import Finding
from auditor.analysis.sections.fix_loop import FixLoopSection
from auditor.analysis.sections.outliers import OutlierRow, OutliersSummary
from auditor.analysis.sections.provenance import LabelsSource, LocalTimeSection, OrphanedFlagsSection
from auditor.analysis.sections.skew import SkewSection
from auditor.analysis.sections.suspicious import SuspiciousRow
from auditor.analysis.sections.validation import ValidationSection
from auditor.progress import Progress
from auditor.progress import report as tell


class Report(TypedDict, total=False):
    """`auditor report --json`: these keys, in this order (outside checks read them)."""
    run_id: int
    validation: ValidationSection
    labels_source: LabelsSource
    local_time: LocalTimeSection
    orphaned_flags: OrphanedFlagsSection
    suspicious: list[SuspiciousRow]
    suspicious_ranking: str
    evidence: list[Finding]
    error_tree: ErrorTreeSection
    skew: SkewSection
    fix_loop: Optional[FixLoopSection]
    group_worth: dict[str, Any]      # what each feature group is worth on test vehicles
    duplicates: list[DuplicateRow]
    duplicates_method: str
    outliers: list[OutlierRow]
    outliers_summary: OutliersSummary
    agreement: AgreementSection
    truth: dict[str, Any]             # --truth (demo only)
    predictions_file: dict[str, Any]  # --predictions FILE.csv


def run_analyses(conn: sqlite3.Connection, run_id: Optional[int] = None,
                 progress: Optional[Progress] = None, before_run: Optional[int] = None,
                 with_places: bool = False, only: Optional[Iterable[str]] = None
                 ) -> tuple[Report, dict[str, PlaceIndex]]:
    """Every registered analysis of ``run_id`` (default: the latest model run), or those whose
    key is in ``only``; with ``with_places`` each one's place index (what a click on a row /
    node / cell means). ``before_run`` defaults to the previous model run (the fix loop's
    "before")."""
    from auditor.analysis import frames
    from auditor.analysis.fix_loop import check_model_runs, previous_model_run
    from auditor.analysis.inputs import ReportInputs
    from auditor.analysis.jsonable import plain

    run_id = frames.resolve_run(conn, run_id)
    if before_run is None:
        before_run = previous_model_run(conn, run_id)
    else:  # a wrong --before fails before anything is computed
        check_model_runs(conn, before_run, run_id)
    inputs = ReportInputs(conn, run_id, before_run)
    wanted = None if only is None else set(only)
    if wanted is not None and wanted - {e.key for e in REGISTRY}:
        raise KeyError(f"no analysis {sorted(wanted - {e.key for e in REGISTRY})}")
    entries = [e for e in REGISTRY if wanted is None or e.key in wanted]
    steps = [e for e in entries if e.compute is not None]
    total = len(steps) + 1 + (1 if with_places else 0)
    tell(progress, 0, total, "reading predictions")
    inputs.pred, inputs.lab, inputs.meta, inputs.stops  # noqa: B018  (read them now, once)
    sections: dict[str, Any] = {"run_id": run_id}
    for i, e in enumerate(steps, start=1):
        tell(progress, i, total, e.step)
        sections.update(e.compute(inputs))
    places: dict[str, PlaceIndex] = {}
    if with_places:
        tell(progress, total - 1, total, "places behind each row")
        places = {e.key: e.places(inputs, sections) for e in entries if e.places is not None}
    tell(progress, total, total, "done")
    return plain(sections), places


def build_report(conn: sqlite3.Connection, run_id: Optional[int] = None,
                 progress: Optional[Progress] = None, before_run: Optional[int] = None,
                 only: Optional[Iterable[str]] = None) -> Report:
    """Every section of ``run_id``'s report (or of the analyses named in ``only``);
    ``fix_loop`` compares every population's errors with ``before_run`` (default: the previous
    model run) and is None with a single run."""
    return run_analyses(conn, run_id, progress, before_run, only=only)[0]


def render_sections(report: Report) -> list[str]:
    """The text lines of every registered analysis, in registry order."""
    return [line for e in REGISTRY if e.render_text is not None for line in e.render_text(report)]
