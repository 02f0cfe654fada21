"""`auditor report PROJECT [--json] [--predictions FILE.csv] [--truth truth.json] [--before RUN]`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from auditor.analysis import frames
from auditor.analysis.label_issues import render_issues
from auditor.analysis.labeller_summary import render_labeller
from auditor.analysis.report import build_report
from auditor.atomic import write_text_atomic
from auditor.errors import UserError
from auditor.progress import TerminalProgress
from auditor.store import open_project
from auditor.store.queries import latest_run_id

PREDICTION_COLUMNS = ["vehicle_id", "place_id", "lat", "lon", "split", "given_label",
                      "predicted_label", "p_home", "p_work", "p_other"]


def write_predictions(pred: pd.DataFrame, path: str | Path) -> int:
    """The run's predictions as CSV (columns per cli.md, sorted), written to a temporary name in
    the same folder and renamed, so a reader never sees half a file."""
    path = Path(path)
    if not path.parent.exists():
        raise UserError(f"{path}: folder {path.parent} does not exist; create it first")
    out = pred[PREDICTION_COLUMNS].sort_values(["vehicle_id", "place_id"], kind="mergesort")
    write_text_atomic(path, out.to_csv(index=False, float_format="%.6f", lineterminator="\n"))
    return len(out)


def _read_truth(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            truth = json.load(fh)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file; give the truth.json written by 'auditor demo-data'")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not valid JSON ({exc}); give the truth.json of a demo fleet")
    if not isinstance(truth, dict) or "vehicles" not in truth:
        raise UserError(f"{path}: has no 'vehicles' key; give the truth.json of a demo fleet")
    return truth


def run(args) -> int:
    project = Path(args.project)
    truth = _read_truth(args.truth) if getattr(args, "truth", None) else None
    conn = open_project(project, create=False)
    try:
        if latest_run_id(conn, "model") is None:
            raise UserError(f"{project}: no inference results yet — run 'auditor infer "
                            f"{project}' first")
        progress = None if args.json else TerminalProgress()
        result = build_report(conn, progress=progress, before_run=getattr(args, "before", None))
        if progress is not None:
            progress.close()
        if truth is not None:
            from auditor.pipeline.evaluate import score_against_truth
            result["truth"] = score_against_truth(conn, truth, run_id=result["run_id"])
        if args.predictions:
            n = write_predictions(frames.predictions(conn, result["run_id"]), args.predictions)
            result["predictions_file"] = {"path": str(args.predictions), "rows": n}
    finally:
        conn.close()
    if args.json:
        json.dump(result, sys.stdout, indent=2, allow_nan=False, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result))
    return 0


def _pct(v) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


TRUTH_GROUPS = (("day", "day shift, healthy firmware"), ("night", "night shift, healthy fw"),
                ("none", "no work place, healthy fw"), ("faulty", "faulty firmware, any"))


def render_truth(scores: dict) -> list[str]:
    """Demo only: home/work found within 150 m of the truth, per population, model vs 2 AM rule."""
    lines = ["Against the demo truth (home / work within 150 m):",
             f"  {'population':<28} {'n':>4}  {'model':>15}  {'02:00 baseline':>15}"]
    model = (scores.get("model") or {}).get("groups", {})
    base = (scores.get("baseline") or {}).get("groups", {})

    def pair(g: dict) -> str:
        return f"{_pct(g.get('home_within_150m')):>6} / {_pct(g.get('work_within_150m')):>6}"

    for key, name in TRUTH_GROUPS:
        if key in model:
            lines.append(f"  {name:<28} {model[key]['n']:>4}  {pair(model[key]):>15}  "
                         f"{pair(base.get(key, {})):>15}")
    return lines


def _before_after(e: dict) -> str:
    b, a = e["before"], e["after"]
    return (f"{b['errors']}/{b['n']} ({_pct(b['error_rate'])}) -> "
            f"{a['errors']}/{a['n']} ({_pct(a['error_rate'])})")


def render_fix_loop(f: dict, limit: int = 5) -> list[str]:
    """Errors before -> after per population, the largest drops first."""
    lines = [f"Before -> after (run {f['before_run_id']} -> run {f['after_run_id']}; "
             "model out-of-fold errors, baseline in brackets):"]
    rows = [("whole fleet", f["fleet"])] + [
        (f"{p['column']} = {p['value']}", p) for p in f["populations"][:limit]]
    for name, e in rows:
        if "model" not in e:
            continue
        base = f"  [{_before_after(e['baseline'])}]" if "baseline" in e else ""
        lines.append(f"  {name:<24} {_before_after(e['model'])}{base}")
    return lines


def render_validation(r: dict) -> list[str]:
    """Validation figures of the report: accuracy, per class, confusion, model vs baseline."""
    v = r["validation"]
    lines = [f"Run {r['run_id']}: validation accuracy {_pct(v['accuracy'])} "
             f"on {v['n']} labelled places"]
    b = v.get("baseline") or {}
    if b.get("accuracy") is not None:
        lines.append(f"  baseline (02:00 place) accuracy {_pct(b['accuracy'])}")
    lines.extend(render_labeller(v.get("labeller")))
    for c, m in v["per_class"].items():
        lines.append(f"  {c:<6} precision {_pct(m['precision'])}  recall {_pct(m['recall'])}  "
                     f"(n={m['support']})")
    lines.append("  confusion (given -> predicted): " + "; ".join(
        f"{g}: " + ", ".join(f"{p} {n}" for p, n in row.items())
        for g, row in v["confusion"].items()))
    lines.append(f"  misclassified validation places: {len(v['misclassified'])}")
    return lines


def render_text(r: dict) -> str:
    """The human-readable report: the headline figures of each section."""
    v = r["validation"]
    lines = render_validation(r)
    lines.append("Accuracy by population (out-of-fold, all labelled places):")
    for col, rows in v["by_population"]["metadata"].items():
        worst = min((x for x in rows if x["oof_accuracy"] is not None),
                    key=lambda x: x["oof_accuracy"], default=None)
        if worst is not None:
            lines.append(f"  {col}: lowest {worst['value']} {_pct(worst['oof_accuracy'])} "
                         f"(n={worst['oof_n']})")
    for x in v["by_population"]["schedule"]:
        lines.append(f"  {x['description']}: {_pct(x['oof_accuracy'])} (n={x['oof_n']})")
    lines.extend(render_issues(r["suspicious"], r["suspicious_ranking"]))
    lines.append(f"Label evidence: {len(r['evidence'])} findings")
    for e in r["evidence"][:10]:
        lines.append(f"  {e['sentence']}")
    t = r["error_tree"]
    lines.append(f"Error tree: {t['errors']} errors in {t['n']} labelled places (out-of-fold)")
    for leaf in t["leaves"][:3]:
        d = leaf.get("dominant")
        crowd = (f" [mostly {d['column']} {d['value']}: {_pct(d['share'])} of the slice, "
                 f"{_pct(d['overall_share'])} of all]" if d else "")
        lines.append(f"  {_pct(leaf['error_rate'])} wrong (n={leaf['n']}): {leaf['slice']}{crowd}")
    sk = r["skew"]
    for name, comp in sk["comparisons"].items():
        flagged = ", ".join(comp["flagged"]) or "none"
        lines.append(f"Skew {comp['reference']} vs {name}: flagged {flagged}")
    pops = sk["populations"]["by_population"]
    if pops:
        p = pops[0]
        lines.append(f"Most skewed population: {p['column']} = {p['value']} "
                     f"({p['feature']} of {p['place_class']} places shifted "
                     f"{p['wasserstein_std']:.2f} std; flag at {p['threshold']})")
    lk = sk["leakage"]
    lines.append(f"Leakage: {lk['entity']['n']} vehicles in several splits; "
                 f"{lk['location']['n_near_train']} validation labels within "
                 f"{lk['location']['near_m']:.0f} m of a train label")
    cells = sk["spatial_drift"]["cells"]
    if cells:
        c = cells[0]
        lines.append(f"Spatial drift: largest change {c['change']:+.3f} of parked time in cell "
                     f"lat {c['lat_min']:.2f}-{c['lat_max']:.2f}, "
                     f"lon {c['lon_min']:.2f}-{c['lon_max']:.2f}")
    if r.get("fix_loop"):
        lines.extend(render_fix_loop(r["fix_loop"]))
    if "truth" in r:
        lines.extend(render_truth(r["truth"]))
    if "predictions_file" in r:
        lines.append(f"Wrote {r['predictions_file']['rows']} predictions to "
                     f"{r['predictions_file']['path']}")
    return "\n".join(lines) + "\n"
