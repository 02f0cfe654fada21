"""`auditor infer PROJECT [--seed S] [--gap-minutes M] [--model-from SOURCE]
[--engine local|dask] [--workers N] [--scheduler ADDRESS] [--json]`."""
from __future__ import annotations

import json

from auditor.pipeline.api import LABELS_SOURCE_TEXT, infer_project
from auditor.pipeline.config import InferConfig
from auditor.pipeline.engine import make_engine
from auditor.progress import TerminalProgress

CLOCK_WORDS = {"metadata": "the vehicles file's timezone", "stated_offset": "offsets in the stamps",
               "location": "where it parks (zone lookup)", "utc": "nothing: UTC"}


def _pct(x) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def run(args) -> int:
    settings = {}
    if getattr(args, "gap_minutes", None) is not None:
        if not args.gap_minutes > 0:
            from auditor.errors import UserError
            raise UserError(f"--gap-minutes {args.gap_minutes:g}: give a positive number of minutes, e.g. 5")
        settings["gap_minutes"] = float(args.gap_minutes)
    engine = make_engine(getattr(args, "engine", None), getattr(args, "workers", None),
                         getattr(args, "scheduler", None))
    bar = TerminalProgress()
    try:
        summary = infer_project(args.project, seed=args.seed, config=InferConfig(**settings),
                                progress=bar, model_from=getattr(args, "model_from", None),
                                engine=engine)
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
        f"labels of run {summary['run_id']}: {LABELS_SOURCE_TEXT[summary['labels_source']]}; "
        f"baseline run {summary['baseline_run_id']}; {summary['seconds']:.1f} s",
        "local time: " + ", ".join(f"{n} vehicle(s) from {CLOCK_WORDS.get(k, k)}" for k, n in
                                   summary["local_time_sources"].items()),
    ]
    f = summary["flags"]
    if f["place_flags"]:
        lines.append(f"place flags: {f['attached']} attached ({f['repointed']} under a new "
                     f"place id), {f['orphaned']} orphaned"
                     + (" — see 'auditor flags PROJECT'" if f["orphaned"] else ""))
    print("\n".join(lines))
    return 0
