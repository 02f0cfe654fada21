"""Validation: accuracy, confusion and per-class figures on the held-out vehicles, the 02:00
baseline on the same places, and accuracy per population (metadata values, schedules)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry, PlaceIndex
from auditor.analysis.labeller_summary import render_labeller
from auditor.analysis.sections.text import pct

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


class ClassFigures(TypedDict):
    precision: Optional[float]
    recall: Optional[float]
    f1: Optional[float]
    support: int
    predicted: int


class PopulationRow(TypedDict, total=False):
    value: str
    description: str          # schedule slices only
    n: int                    # validation places
    accuracy: Optional[float]
    oof_n: int                # labelled places with an out-of-fold prediction
    oof_accuracy: Optional[float]


class ByPopulation(TypedDict):
    metadata: dict[str, list[PopulationRow]]   # column -> one row per value
    schedule: list[PopulationRow]


class ValidationSection(TypedDict, total=False):
    run_id: int
    n: int
    correct: int
    accuracy: Optional[float]
    confusion: dict[str, dict[str, int]]       # given -> predicted -> places
    per_class: dict[str, ClassFigures]
    misclassified: list[dict[str, Any]]
    baseline: dict[str, Any]                   # the same figures for the 02:00 baseline run
    by_population: ByPopulation
    status: str                # validation split | no validation vehicles | no labels
    labeller: dict[str, Any]   # auditor.analysis.labeller_summary: model / stacked / baseline


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.labeller_summary import labeller_summary
    from auditor.analysis.populations import by_population
    from auditor.analysis.provenance import validation_status
    from auditor.analysis.validation import validation_report
    v = validation_report(inp.conn, inp.run_id, inp.pred)
    v["test"] = test_figures(inp.pred)
    v["by_population"] = by_population(inp.pred, inp.meta, inp.schedule)
    v["status"] = validation_status(inp.conn, inp.run_id, v)
    v["labeller"] = labeller_summary(inp.conn, inp.run_id, v)
    return {"validation": v}


def test_figures(pred) -> dict[str, Any]:
    """The same figures on the test vehicles: held out of every choice (labeller, weights,
    thresholds, features), so this accuracy is the number to trust."""
    from auditor.analysis.frames import CLASSES
    from auditor.analysis.validation import classification_metrics
    test = pred[(pred["split"] == "test") & pred["given_label"].isin(CLASSES)]
    out = classification_metrics(test["given_label"], test["predicted_label"])
    out["vehicles"] = int(test["vehicle_id"].nunique())
    return out


def places(inp: ReportInputs, report: dict) -> PlaceIndex:
    """("population", column, value) -> the labelled places a population row counts;
    ("confusion", given, predicted) -> the validation places of a confusion cell."""
    from auditor.analysis.populations import population_members
    index: PlaceIndex = {("population", column, value): ids for (column, value), ids in
                         population_members(inp.pred, inp.meta, inp.schedule).items()}
    val = inp.pred[inp.pred["split"] == "validation"]
    for (given, predicted), rows in val.groupby(["given_label", "predicted_label"]):
        index[("confusion", given, predicted)] = sorted(rows["place_id"])
    return index


def render_validation(r: dict) -> list[str]:
    """Validation figures of the report: accuracy, per class, confusion, model vs baseline."""
    v = r["validation"]
    t = v.get("test") or {}
    lines = []
    if t.get("n"):
        lines.append(f"Run {r['run_id']}: test accuracy {pct(t['accuracy'])} on {t['n']} "
                     f"places of {t['vehicles']} test vehicles — the number to trust "
                     "(nothing was chosen on them)")
    lines.append(f"Run {r['run_id']}: validation accuracy {pct(v['accuracy'])} "
                 f"on {v['n']} labelled places")
    b = v.get("baseline") or {}
    if b.get("accuracy") is not None:
        lines.append(f"  baseline (02:00 place) accuracy {pct(b['accuracy'])}")
    lines.extend(render_labeller(v.get("labeller")))
    for c, m in v["per_class"].items():
        lines.append(f"  {c:<6} precision {pct(m['precision'])}  recall {pct(m['recall'])}  "
                     f"(n={m['support']})")
    lines.append("  confusion (given -> predicted): " + "; ".join(
        f"{g}: " + ", ".join(f"{p} {n}" for p, n in row.items())
        for g, row in v["confusion"].items()))
    lines.append(f"  misclassified validation places: {len(v['misclassified'])}")
    return lines


def render_text(r: dict) -> list[str]:
    v = r["validation"]
    status = v.get("status") or "validation split"
    # a run without labels (baseline-labelled) or without validation vehicles has no figures
    lines = (render_validation(r) if status == "validation split" else
             [f"Run {r['run_id']}: validation: {status}"])
    header = "Accuracy by population (out-of-fold, all labelled places):"
    lines.append(header)
    for col, rows in v["by_population"]["metadata"].items():
        worst = min((x for x in rows if x["oof_accuracy"] is not None),
                    key=lambda x: x["oof_accuracy"], default=None)
        if worst is not None:
            lines.append(f"  {col}: lowest {worst['value']} {pct(worst['oof_accuracy'])} "
                         f"(n={worst['oof_n']})")
    for x in v["by_population"]["schedule"]:
        lines.append(f"  {x['description']}: {pct(x['oof_accuracy'])} (n={x['oof_n']})")
    if lines[-1] == header:  # one vehicle, or no labels: say so instead of an empty list
        lines[-1] = header[:-1] + ": none (no population has out-of-fold predictions)"
    return lines


ENTRY = AnalysisEntry(key="validation", title="Validation", step="validation metrics",
                      compute=compute, render_text=render_text, places=places,
                      view="auditor.gui.analyses.validation:ValidationView")
