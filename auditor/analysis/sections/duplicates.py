"""Duplicated devices and split places (auditor.analysis.duplicates): cloned ids, reused ids,
places of one vehicle that are one place. Each entry names its ids, a score in 0..1, the
reason in words and the flag that settles it; the place index maps each entry to the places
it means (the vehicles' places, or the two split places) for the map and the browser."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs

METHOD = ("trips hashed to (start cell, end cell, departure bucket) tokens, vehicle pairs "
          "sharing tokens verified trip by trip (same trips, one clock offset); ids whose trips "
          "keep starting far from where the last ended; close places of one vehicle used in the "
          "same role, never on the same day")


class SuggestedFlag(TypedDict):
    target_kind: str      # vehicle | place
    target_id: str
    action: str           # bad_data


class DuplicateRow(TypedDict, total=False):
    kind: str             # cloned_device | reused_id | split_place
    ids: list[str]        # vehicle ids (cloned_device, reused_id) or place ids (split_place)
    score: float
    reason: str
    suggested_flags: list[SuggestedFlag]
    vehicle_id: Optional[str]   # split_place: the vehicle


def selector(row: dict) -> tuple:
    """The key of an entry in the place index (its kind and ids)."""
    return (row["kind"], *row["ids"])


def fleet_duplicates(inp: ReportInputs) -> list[dict]:
    """The findings of this run's trips, stops and places (computed once per report: the skew
    section's leakage check reads them too)."""
    if "duplicates" not in inp.memo:
        from auditor.analysis.duplicates import find_duplicates, read_trips
        places = inp.pred[["place_id", "vehicle_id", "lat", "lon"]]
        inp.memo["duplicates"] = find_duplicates(read_trips(inp.conn), inp.stops, places)
    return inp.memo["duplicates"]


def compute(inp: ReportInputs) -> dict[str, Any]:
    return {"duplicates": fleet_duplicates(inp), "duplicates_method": METHOD}


def render_text(r: dict) -> list[str]:
    rows = r.get("duplicates", [])
    kinds = {k: sum(d["kind"] == k for d in rows)
             for k in ("cloned_device", "reused_id", "split_place")}
    lines = [f"Duplicates: {kinds['cloned_device']} cloned device(s), {kinds['reused_id']} "
             f"reused id(s), {kinds['split_place']} split place(s)"]
    for d in rows[:10]:
        lines.append(f"  {d['kind']} {' '.join(d['ids'])}  score {d['score']:.2f}  {d['reason']}")
    return lines


def places(inp: ReportInputs, report: dict) -> dict:
    by_vehicle = inp.pred.groupby("vehicle_id")["place_id"].apply(list).to_dict()
    out = {}
    for row in report.get("duplicates", []):
        if row["kind"] == "split_place":
            out[selector(row)] = list(row["ids"])
        else:
            out[selector(row)] = [p for v in row["ids"] for p in by_vehicle.get(v, [])]
    return out


ENTRY = AnalysisEntry(key="duplicates", title="Duplicates && outliers",
                      step="duplicated devices", compute=compute, render_text=render_text,
                      places=places, view="auditor.gui.analyses.duplicates:DuplicatesView")
