"""`auditor runs PROJECT [--json] [--compare A B]`: the project's runs as experiments."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from auditor.analysis.runs import compare_runs, list_runs
from auditor.analysis.sections.text import pct
from auditor.errors import UserError
from auditor.store import open_project


def _delta(x) -> str:
    return "n/a" if x is None else f"{100 * x:+.1f} pt"


def _short(h) -> str:
    return (h or "-")[:10]


def render_runs(runs: list[dict]) -> list[str]:
    lines = [f"{'run':>4}  {'kind':<8} {'created (UTC)':<25} {'seed':>4}  {'val':>6}  "
             f"{'test':>6}  {'labels':<14} {'left out':<14} {'weights':<10} {'data':<10} code"]
    for r in runs:
        cfg = r["config"]
        wf = cfg.get("weights_from")
        lines.append(
            f"{r['run_id']:>4}  {r['kind']:<8} {r['created_at']:<25} {r['seed']!s:>4}  "
            f"{pct(r['val_accuracy']):>6}  {pct(r['test_accuracy']):>6}  "
            f"{(r['labeller'] or r['labels_source'] or '-'):<14} "
            f"{(','.join(cfg.get('without') or []) or '-'):<14} "
            f"{(_short(wf['manifest_sha256']) if wf else '-'):<10} {_short(r['data_hash']):<10} "
            f"{_short((r['code_version'] or {}).get('pipeline_sha256'))}")
    lines.append("test accuracy is the number to trust: nothing was chosen on test vehicles "
                 "(validation steered the labeller and the export's weights)")
    return lines


def render_compare(c: dict) -> list[str]:
    lines = [f"Run {c['a']} -> run {c['b']}"]
    if c["config"]:
        lines.append("  settings that differ:")
        for d in c["config"]:
            lines.append(f"    {d['setting']}: {json.dumps(d['a'])} -> {json.dumps(d['b'])}")
    else:
        lines.append("  same settings")
    if c["seed"]["a"] != c["seed"]["b"]:
        lines.append(f"  seed: {c['seed']['a']} -> {c['seed']['b']}")
    lines.append(f"  data: {'same' if c['same_data'] else 'different'}; code: "
                 f"{'same' if c['same_code'] else 'different'}; predictions "
                 f"{'byte-identical' if c['identical_predictions'] else 'differ'}")
    for s in ("test", "validation"):
        a = c["accuracy"][s]
        trust = " (the number to trust)" if s == "test" else ""
        lines.append(f"  {s} accuracy{trust}: {pct(a['a'])} -> {pct(a['b'])} "
                     f"({_delta(a['delta'])})")
    lines.append(f"  {'population':<36} {'test n':>6} {'test a -> b':>17} {'val a -> b':>17}")
    for p in c["by_population"]:
        name = f"{p['population']}={p['value']}"
        lines.append(f"  {name[:36]:<36} {p['test_n'] or 0:>6} "
                     f"{pct(p['test_a']):>7} -> {pct(p['test_b']):>6} "
                     f"{pct(p['validation_a']):>7} -> {pct(p['validation_b']):>6}")
    n = len(c["changed_places"])
    by = ", ".join(f"{k} {v}" for k, v in c["changed_by_split"].items())
    lines.append(f"  places labelled differently: {n}" + (f" ({by})" if n else ""))
    for p in c["changed_places"][:15]:
        lines.append(f"    {p['place_id']}  {p['label_a']} -> {p['label_b']}  ({p['split']})")
    if n > 15:
        lines.append(f"    … {n - 15} more (--json lists all)")
    if c["places_only_in_a"] or c["places_only_in_b"]:
        lines.append(f"  places in only one run: {c['places_only_in_a']} in {c['a']}, "
                     f"{c['places_only_in_b']} in {c['b']}")
    return lines


def run(args) -> int:
    project = Path(args.project)
    if not project.exists():
        raise UserError(f"{project}: no such project")
    conn = open_project(project, create=False, readonly=True)
    try:
        if args.compare:
            result = compare_runs(conn, args.compare[0], args.compare[1])
        else:
            result = {"runs": list_runs(conn)}
    finally:
        conn.close()
    if args.json:
        json.dump(result, sys.stdout, indent=2, allow_nan=False, default=str)
        sys.stdout.write("\n")
    elif args.compare:
        print("\n".join(render_compare(result)))
    elif not result["runs"]:
        print(f"{project}: no runs yet — run 'auditor infer {project}'")
    else:
        print("\n".join(render_runs(result["runs"])))
    return 0
