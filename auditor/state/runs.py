"""What the Runs view shows and does, without Qt (issue 18): the project's model runs as table
rows, two runs compared, and the long jobs (infer leaving groups out, rerun, retrain on an
export, drift of new data) as ``work(progress)`` callables for auditor.gui.workers. Each opens
its own connection (they run off the GUI thread)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from auditor.analysis.sections.text import pct
from auditor.progress import Progress

COLUMNS = ("run", "created (UTC)", "seed", "test (trust)", "validation", "labels", "left out",
           "weights from", "data", "code")


def _short(h) -> str:
    return (h or "-")[:8]


def model_runs(path: str | Path) -> list[dict]:
    from auditor.analysis.runs import list_runs
    from auditor.store import open_project
    conn = open_project(Path(path), create=False, readonly=True)
    try:
        return list_runs(conn, kind="model")
    finally:
        conn.close()


def row_texts(run: dict) -> tuple[str, ...]:
    cfg = run["config"]
    wf = cfg.get("weights_from")
    return (str(run["run_id"]), run["created_at"].replace("T", " ")[:19], str(run["seed"]),
            pct(run["test_accuracy"]), pct(run["val_accuracy"]),
            run["labeller"] or run["labels_source"] or "-",
            ", ".join(cfg.get("without") or []) or "-",
            Path(wf["path"]).name + " " + _short(wf["manifest_sha256"]) if wf else "-",
            _short(run["data_hash"]), _short((run["code_version"] or {}).get("pipeline_sha256")))


def compare(path: str | Path, a: int, b: int) -> dict:
    from auditor.analysis.runs import compare_runs
    from auditor.store import open_project
    conn = open_project(Path(path), create=False, readonly=True)
    try:
        return compare_runs(conn, a, b)
    finally:
        conn.close()


def compare_text(c: dict) -> str:
    from auditor.analysis.runs_command import render_compare
    return "\n".join(render_compare(c))


def infer_work(path, without=(), seed: Optional[int] = None) -> Callable[[Progress], dict]:
    from auditor.pipeline.api import infer_project
    from auditor.pipeline.config import InferConfig
    config = InferConfig(without=tuple(without))
    return lambda progress: infer_project(Path(path), seed=seed, config=config,
                                          progress=progress)


def rerun_work(path, run_id: int) -> Callable[[Progress], dict]:
    from auditor.pipeline.rerun import rerun
    return lambda progress: rerun(Path(path), int(run_id), progress=progress)


def retrain_work(path, export_dir, without=()) -> Callable[[Progress], dict]:
    from auditor.pipeline.api import infer_project
    from auditor.pipeline.config import InferConfig
    config = InferConfig(without=tuple(without))
    return lambda progress: infer_project(Path(path), config=config, progress=progress,
                                          weights_from=Path(export_dir))


def drift_work(path, run_id: Optional[int]) -> Callable[[Progress], dict]:
    from auditor.analysis.run_drift import drift_since
    return lambda progress: drift_since(Path(path), run_id, progress=progress)


def outcome_text(summary: dict) -> str:
    """One paragraph after an infer / rerun / retrain from the Runs view."""
    lines = [f"Run {summary['run_id']}: test accuracy {pct(summary.get('test_accuracy'))} "
             f"(the number to trust), validation {pct(summary.get('val_accuracy'))}"]
    if summary.get("without"):
        lines.append("left out: " + ", ".join(summary["without"]))
    v = summary.get("rerun")
    if v:
        from auditor.pipeline.rerun import render_verdict
        lines.extend(render_verdict(v))
    wf = summary.get("weights_from")
    if wf and wf.get("before_after"):
        from auditor.pipeline.weights_from import before_after_lines
        lines.append(f"trained on {Path(wf['path']).name}:")
        lines.extend(before_after_lines(wf["before_after"]))
    return "\n".join(lines)


def drift_text(d: dict) -> str:
    from auditor.analysis.run_drift import render_drift
    return "\n".join(render_drift(d) + [f"  compared with: {d['reference']}"])


def worth_work(path, run_id: Optional[int]) -> Callable[[Progress], dict]:
    """The report's "what each feature group is worth" section for a run."""
    def work(progress: Progress) -> dict:
        from auditor.analysis.report import run_analyses
        from auditor.store import open_project
        conn = open_project(Path(path), create=False, readonly=True)
        try:
            report, _ = run_analyses(conn, run_id, progress=progress, only=["group_worth"])
        finally:
            conn.close()
        return report
    return work


def worth_text(report: dict) -> str:
    from auditor.analysis.sections.group_worth import render_text
    return "\n".join(render_text(report))
