"""`auditor report PROJECT [--json] [--predictions FILE.csv] [--truth truth.json] [--before RUN]`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from auditor.analysis import frames
from auditor.analysis.report import build_report, render_sections
from auditor.analysis.sections.text import pct
from auditor.atomic import write_text_atomic
from auditor.csvsafe import neutralise_frame
from auditor.errors import UserError
from auditor.outputs import check_output_file
from auditor.progress import TerminalProgress
from auditor.store import open_project
from auditor.store.queries import latest_run_id

PREDICTION_COLUMNS = ["vehicle_id", "place_id", "lat", "lon", "split", "given_label",
                      "predicted_label", "p_home", "p_work", "p_other"]


def write_predictions(pred: pd.DataFrame, path: str | Path, project=None) -> int:
    """The run's predictions as CSV (columns per cli.md, sorted), written to a temporary name in
    the same folder and renamed, so a reader never sees half a file. Never over the project or
    another SQLite file; text cells that a spreadsheet would run as formulas get a leading '."""
    path = check_output_file(path, project=project, what="the predictions CSV")
    if not path.parent.exists():
        raise UserError(f"{path}: folder {path.parent} does not exist; create it first")
    out = pred[PREDICTION_COLUMNS].sort_values(["vehicle_id", "place_id"], kind="mergesort")
    out = neutralise_frame(out)
    write_text_atomic(path, out.to_csv(index=False, float_format="%.6f", lineterminator="\n"))
    return len(out)


def _read_truth(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            truth = json.load(fh)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file; give the truth.json written by "
                        "'auditor demo-data'") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not valid JSON ({exc}); give the truth.json of a demo "
                        "fleet") from None
    if not isinstance(truth, dict) or "vehicles" not in truth:
        raise UserError(f"{path}: has no 'vehicles' key; give the truth.json of a demo fleet")
    return truth


def _model_run(conn, run_id):
    """--run RUN checked: a model run of this project (None: the latest)."""
    if run_id is None:
        return None
    row = conn.execute("SELECT kind FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None or row[0] != "model":
        known = [r[0] for r in conn.execute("SELECT run_id FROM runs WHERE kind = 'model' "
                                            "ORDER BY run_id")]
        what = "a baseline run" if row else "no such run"
        raise UserError(f"--run {run_id}: {what} — model runs of this project: "
                        f"{', '.join(map(str, known))} ('auditor runs PROJECT' lists them)")
    return int(run_id)


def run(args) -> int:
    project = Path(args.project)
    truth = _read_truth(args.truth) if getattr(args, "truth", None) else None
    if args.predictions:  # before the work, not after it
        check_output_file(args.predictions, project=project, what="the predictions CSV")
    conn = open_project(project, create=False, readonly=True)
    try:
        if latest_run_id(conn, "model") is None:
            raise UserError(f"{project}: no inference results yet — run 'auditor infer "
                            f"{project}' first")
        progress = None if args.json else TerminalProgress()
        run_id = _model_run(conn, getattr(args, "run", None))
        result = build_report(conn, run_id=run_id, progress=progress,
                              before_run=getattr(args, "before", None))
        if progress is not None:
            progress.close()
        if truth is not None:
            from auditor.pipeline.evaluate import score_against_truth
            result["truth"] = score_against_truth(conn, truth, run_id=result["run_id"])
        if args.predictions:
            n = write_predictions(frames.predictions(conn, result["run_id"]), args.predictions,
                                  project=project)
            result["predictions_file"] = {"path": str(args.predictions), "rows": n}
    finally:
        conn.close()
    if args.json:
        json.dump(result, sys.stdout, indent=2, allow_nan=False, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result))
    return 0


TRUTH_GROUPS = (("day", "day shift, healthy firmware"), ("night", "night shift, healthy fw"),
                ("none", "no work place, healthy fw"), ("faulty", "faulty firmware, any"))


def render_truth(scores: dict) -> list[str]:
    """Demo only: home/work found within 150 m of the truth, per population, model vs 2 AM rule."""
    lines = ["Against the demo truth (home / work within 150 m):",
             f"  {'population':<28} {'n':>4}  {'model':>15}  {'02:00 baseline':>15}"]
    model = (scores.get("model") or {}).get("groups", {})
    base = (scores.get("baseline") or {}).get("groups", {})

    def pair(g: dict) -> str:
        return f"{pct(g.get('home_within_150m')):>6} / {pct(g.get('work_within_150m')):>6}"

    for key, name in TRUTH_GROUPS:
        if key in model:
            lines.append(f"  {name:<28} {model[key]['n']:>4}  {pair(model[key]):>15}  "
                         f"{pair(base.get(key, {})):>15}")
    return lines


def render_text(r: dict) -> str:
    """The human-readable report: the headline lines of each registered analysis, then what
    this command added (truth scores, the predictions file)."""
    lines = render_sections(r)
    if "truth" in r:
        lines.extend(render_truth(r["truth"]))
    if "predictions_file" in r:
        lines.append(f"Wrote {r['predictions_file']['rows']} predictions to "
                     f"{r['predictions_file']['path']}")
    return "\n".join(lines) + "\n"
