"""`auditor demo-data` and `auditor demo` (../shared/docs/cli.md)."""
from __future__ import annotations

import importlib
import json
from pathlib import Path

from auditor.progress import TerminalProgress


def _demo_data_line(truth_path: Path, out_dir: Path) -> str:
    s = json.loads(Path(truth_path).read_text(encoding="utf-8"))["summary"]
    return (f"demo data: {s['vehicles']} vehicles, {s['pings']} pings, "
            f"{s['labelled_vehicles']} labelled vehicles, {s['wrong_labels']} wrong labels, "
            f"{s['faulty_vehicles']} faulty vehicles -> {out_dir}")


def run_demo_data(args) -> int:
    from auditor.demo.generator import write_demo
    bar = TerminalProgress()
    try:
        paths = write_demo(args.out_dir, vehicles=args.vehicles, days=args.days, seed=args.seed,
                           progress=bar)
    finally:
        bar.close()
    print(_demo_data_line(paths["truth"], Path(args.out_dir)))
    return 0


def _infer_line(infer: dict) -> str:
    acc = infer.get("val_accuracy")
    acc_text = f"{acc:.3f}" if isinstance(acc, (int, float)) else "n/a"
    seconds = infer.get("seconds")
    took = f" in {seconds:.1f} s" if isinstance(seconds, (int, float)) else ""
    return (f"inferred: {infer.get('vehicles')} vehicles, {infer.get('trips')} trips, "
            f"{infer.get('stops')} stops, {infer.get('places')} places, "
            f"{infer.get('labelled_places')} labelled places, validation accuracy {acc_text}"
            f"{took}")


def print_validation_report(project: Path, truth_path: Path) -> None:
    """The validation report of the demo's model run, and how it fares against the demo truth."""
    from auditor.analysis.command import render_truth
    from auditor.analysis.report import build_report
    from auditor.analysis.sections.validation import render_validation
    from auditor.pipeline.evaluate import score_against_truth
    from auditor.store import open_project
    conn = open_project(project, create=False)
    try:
        report = build_report(conn)
        truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
        scores = score_against_truth(conn, truth, run_id=report["run_id"])
    finally:
        conn.close()
    print("\n".join(render_validation(report) + render_truth(scores)))


def run_demo(args) -> int:
    from auditor.demo.project import build_demo_project, default_demo_project
    project = Path(args.out) if args.out else default_demo_project()
    bar = TerminalProgress()
    try:
        build = build_demo_project(project, vehicles=args.vehicles, days=args.days,
                                   seed=args.seed, progress=bar)
    finally:
        bar.close()
    if build.reused:
        print(f"demo project {build.project} already built with these parameters; reusing it")
    else:
        print(_demo_data_line(build.data_dir / "truth.json", build.data_dir))
        for item in build.ingest:
            print(f"imported {Path(str(item.get('file', '?'))).name} ({item.get('kind')}): "
                  f"{item.get('accepted')} accepted, {item.get('quarantined')} quarantined")
    print(_infer_line(build.infer))
    print_validation_report(build.project, build.data_dir / "truth.json")
    print(f"project: {build.project}")
    if args.no_gui:
        return 0
    # through importlib: the core never imports the GUI (import-linter contract)
    result = importlib.import_module("auditor.gui.app").launch(build.project)
    return int(result or 0)
