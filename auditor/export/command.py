"""``auditor export`` and ``auditor verify`` (argument parsing lives in auditor/cli.py)."""
from __future__ import annotations

import json

from auditor.errors import UserError
from auditor.export.api import export_training_set
from auditor.export.build import held_out_words
from auditor.export.config import ExportConfig
from auditor.export.verify import verify_export
from auditor.progress import TerminalProgress


def config_from_args(args) -> ExportConfig:
    given = {"k": getattr(args, "k", None), "factor": getattr(args, "factor", None),
             "balance_classes": bool(getattr(args, "balance_classes", False)),
             "reviewed_only": bool(getattr(args, "reviewed_only", False)) or None}
    return ExportConfig.from_any({k: v for k, v in given.items() if v is not None})


def run_export(args) -> int:
    progress = TerminalProgress()
    try:
        summary = export_training_set(args.project, args.out_dir, fmt=args.format,
                                      config=config_from_args(args), progress=progress,
                                      skip_orphaned=bool(getattr(args, "skip_orphaned", False)),
                                      redact=bool(getattr(args, "redact", False)))
    finally:
        progress.close()
    if args.json:
        print(json.dumps(summary, sort_keys=True, indent=2))
        return 0
    w = summary["weights"]
    print(f"exported {summary['rows']} training rows to {summary['out_dir']} "
          f"(model run {summary['model_run_id']})"
          + ("; only reviewed flags applied" if getattr(args, "reviewed_only", False) else ""))
    print(f"  relabelled {summary['relabelled']}{held_out_words(summary, ' (', ')')}, "
          f"excluded {summary['excluded']}"
          + "".join(f"; {n} {reason}" for reason, n in summary["excluded_by_reason"].items()))
    print(f"  {summary['misclassified_validation']} misclassified validation samples; "
          f"{summary['reweighted']} rows upweighted")
    print(f"  weights min {w['min']:.4g} max {w['max']:.4g} mean {w['mean']:.4g}; "
          f"effective sample size {summary['effective_sample_size']:.1f}")
    if summary["orphaned_skipped"]:
        print(f"  left out {len(summary['orphaned_skipped'])} orphaned flag(s): events "
              + ", ".join(map(str, summary["orphaned_skipped"])))
    for name, digest in summary["files"].items():
        print(f"  {name}  sha256 {digest}")
    return 0


def run_verify(args) -> int:
    progress = TerminalProgress()
    try:
        result = verify_export(args.out_dir, progress=progress,
                               project=getattr(args, "project", None),
                               full=bool(getattr(args, "full", False)))
    finally:
        progress.close()
    for note in result.notes:
        print(f"note: {note}")
    if result.ok:
        print(f"OK: {args.out_dir} reproduces every hash")
        return 0
    for line in result.differences:
        print(f"DIFFERS: {line}")
    causes = sorted({line.split(":")[0] for line in result.differences})
    raise UserError(f"{args.out_dir}: export does not reproduce — {'; '.join(causes)} "
                    "(details above)")
