"""Before -> after: every population's errors in the previous model run (or --before RUN) and
in this one, model and 02:00 baseline. Shown in the validation tab's population table."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry
from auditor.analysis.sections.text import pct

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


class FixLoopSection(TypedDict):
    before_run_id: int
    after_run_id: int
    fleet: dict[str, Any]
    populations: list[dict[str, Any]]


def compute(inp: ReportInputs) -> dict[str, Optional[dict]]:
    from auditor.analysis.fix_loop import before_after
    fix = None if inp.before_run is None else before_after(inp.conn, inp.before_run, inp.run_id)
    return {"fix_loop": fix}


def _before_after(e: dict) -> str:
    b, a = e["before"], e["after"]
    return (f"{b['errors']}/{b['n']} ({pct(b['error_rate'])}) -> "
            f"{a['errors']}/{a['n']} ({pct(a['error_rate'])})")


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


def render_text(r: dict) -> list[str]:
    return render_fix_loop(r["fix_loop"]) if r.get("fix_loop") else []


ENTRY = AnalysisEntry(key="fix_loop", step="before and after", compute=compute,
                      render_text=render_text)
