"""Study, not a speed benchmark: how much does the demo's firmware fault hurt the model?

For each seed: a demo fleet is generated, ingested and inferred; then the fix loop runs (the
faulty firmware's pings re-imported with their clock read as local time, inference again) and
`auditor.analysis.fix_loop.before_after` compares the two runs. Prints, per seed, the
out-of-fold errors of the faulty vehicles and of the rest before the fix, the faulty vehicles'
errors after it (model and 02:00 baseline), and whether the error tree splits on the firmware.

    .venv/bin/python bench/fault_impact.py [--vehicles 200 --days 28 --seeds 1 2 3 7]

The finding this backs (README, Known gaps): the model is not hurt by the fault, so the error
tree has nothing firmware-shaped to find; the baseline is.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.analysis.error_tree import error_tree  # noqa: E402
from auditor.analysis.fix_loop import before_after  # noqa: E402
from auditor.demo.generator import write_demo  # noqa: E402
from auditor.ingest.api import ingest_paths  # noqa: E402
from auditor.pipeline.api import infer_project  # noqa: E402
from auditor.store import open_project  # noqa: E402


def _splits_on(node: dict, column: str, value: str) -> bool:
    if node is None:
        return False
    here = any(c["condition"] == f"{column} = {value}" for c in node["children"])
    return here or any(_splits_on(c, column, value) for c in node["children"])


def one_seed(folder: Path, vehicles: int, days: int, seed: int) -> dict:
    write_demo(folder, vehicles=vehicles, days=days, seed=seed)
    fault = json.loads((folder / "truth.json").read_text())["fault"]
    project = folder / "p.db"
    for kind in ("vehicles", "pings", "labels"):
        ingest_paths(project, [folder / f"{kind}.csv"], kind=kind)
    before = infer_project(project, seed=seed)["run_id"]  # as `auditor demo` does
    conn = open_project(project, create=False)
    tree = error_tree(conn, before)
    conn.close()
    ingest_paths(project, [folder / "pings.csv"], kind="pings", ignore_offset=True,
                 only=[f"{fault['column']}={fault['value']}"], replace=True)
    after = infer_project(project, seed=seed)["run_id"]
    conn = open_project(project, create=False)
    fix = before_after(conn, before, after)
    conn.close()
    faulty = next(p for p in fix["populations"]
                  if (p["column"], p["value"]) == (fault["column"], fault["value"]))
    fleet = fix["fleet"]["model"]["before"]
    return {"seed": seed, "faulty": faulty, "fleet_before": fleet,
            "tree_splits_on_firmware": _splits_on(tree["root"], fault["column"], fault["value"])}


def _pair(r: dict) -> str:
    return f"{r['errors']:>3}/{r['n']:<4} ({100 * (r['error_rate'] or 0):4.1f}%)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=200)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 7])
    args = ap.parse_args()
    print(f"{args.vehicles} vehicles x {args.days} days; model = out-of-fold errors, "
          "baseline = 02:00 rule errors")
    print(f"{'seed':>4}  {'faulty, model':>18}  {'rest, model':>18}  {'faulty after fix':>18}  "
          f"{'faulty baseline':>18}  {'after fix':>18}  tree splits on firmware")
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            r = one_seed(Path(tmp) / f"s{seed}", args.vehicles, args.days, seed)
            m, b = r["faulty"]["model"], r["faulty"]["baseline"]
            rest = {k: r["fleet_before"][k] - m["before"][k] for k in ("errors", "n")}
            rest["error_rate"] = rest["errors"] / rest["n"] if rest["n"] else None
            print(f"{seed:>4}  {_pair(m['before']):>18}  {_pair(rest):>18}  "
                  f"{_pair(m['after']):>18}  {_pair(b['before']):>18}  {_pair(b['after']):>18}  "
                  f"{r['tree_splits_on_firmware']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
