"""`auditor infer PROJECT [--seed S] [--gap-minutes M] [--json]`."""
from __future__ import annotations

import json

from auditor.pipeline.api import infer_project
from auditor.pipeline.config import InferConfig
from auditor.progress import TerminalProgress


def _pct(x) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def run(args) -> int:
    settings = {}
    if getattr(args, "gap_minutes", None) is not None:
        if not args.gap_minutes > 0:
            from auditor.errors import UserError
            raise UserError(f"--gap-minutes {args.gap_minutes:g}: give a positive number of minutes, e.g. 5")
        settings["gap_minutes"] = float(args.gap_minutes)
    bar = TerminalProgress()
    try:
        summary = infer_project(args.project, seed=args.seed, config=InferConfig(**settings),
                                progress=bar)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(summary, sort_keys=True))
        return 0
    lines = [
        f"{summary['vehicles']} vehicles, {summary['pings']} pings -> {summary['trips']} trips, "
        f"{summary['stops']} stops, {summary['places']} places",
        f"labels: {summary['matched_labels']} matched, {summary['unmatched_labels']} unmatched"
        + (" (" + ", ".join(f"{k}: {v}" for k, v in summary["unmatched_reasons"].items()) + ")"
           if summary["unmatched_labels"] else ""),
        f"labelled places: {summary['labelled_places']} "
        f"({summary['validation_vehicles']} validation vehicles)",
        f"validation accuracy: model {_pct(summary['val_accuracy'])}, "
        f"baseline (02:00 rule) {_pct(summary['baseline_val_accuracy'])}",
        "runs: model " + (str(summary["run_id"]) if summary["run_id"] is not None
                          else "not trained (no matched labels)") + ", "
        f"baseline {summary['baseline_run_id']}; {summary['seconds']:.1f} s",
    ]
    print("\n".join(lines))
    return 0
