"""Where a run's figures come from (issue 11): which labeller produced its labels, which clock
each vehicle's local time follows (and where its stamps disagree with where it parks), and the
place flags that point at nothing since the last infer. Three report sections; the orphans have
a tab (auditor.gui.analyses.orphans: re-attach or revoke), the Analysis dock's status line shows
the labeller and the orphan count."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs

CLOCK_WORDS = {"metadata": "vehicles file timezone", "stated_offset": "offset stated in stamps",
               "location": "zone of where it parks", "utc": "UTC (nothing else known)"}


class LabelsSource(TypedDict):
    kind: str                          # project_labels | model_from | no_labels
    labeller: str                      # model | stacked | baseline | model_from
    model_from: Optional[dict[str, Any]]   # what --model-from read, else None
    text: str
    validation: Optional[str]          # validation split | no validation vehicles | no labels


class LocalTimeSection(TypedDict, total=False):
    sources: dict[str, int]            # clock source -> vehicles
    zones: dict[str, int]              # zone used -> vehicles
    vehicles: list[dict[str, Any]]
    disagreements: list[dict[str, Any]]
    disagree_share_threshold: float
    time_shifts: list[dict[str, Any]]  # vehicles whose trips lie far outside the fleet's time
    hour_shifts: list[dict[str, Any]]  # populations whose day runs hours off the fleet's
    fleet_shift: Optional[dict[str, Any]]  # the whole fleet's day hours off a fleet's


class OrphanedFlagsSection(TypedDict):
    n: int
    flags: list[dict[str, Any]]


def compute_labels_source(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.provenance import labels_source
    return {"labels_source": labels_source(inp.conn, inp.run_id)}


def compute_local_time(inp: ReportInputs) -> dict[str, Any]:
    import pandas as pd

    from auditor.analysis.hour_shift import fleet_shift, hour_shifts
    from auditor.analysis.provenance import local_time
    lt = local_time(inp.conn)
    zones = pd.Series({v["vehicle_id"]: v["timezone"] for v in lt.get("vehicles") or []
                       if v.get("timezone")}, dtype=object)
    return {"local_time": {**lt, "hour_shifts": hour_shifts(inp.stops, inp.meta, zones=zones),
                           "fleet_shift": fleet_shift(inp.stops, zones=zones)}}


def compute_orphaned(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.provenance import orphaned
    return {"orphaned_flags": orphaned(inp.conn)}


def labeller_words(report: dict) -> str:
    """"labels by the model" / "… the 02:00 baseline" / "… a model trained elsewhere"."""
    src = report.get("labels_source") or {}
    kind = src.get("kind")
    if kind == "project_labels":  # the labeller the training vehicles chose
        return {"baseline": "labels by the 02:00 baseline, which the model did not beat "
                            "out-of-fold",
                "stacked": "labels by the model stacked with the 02:00 baseline"}.get(
            src.get("labeller"), "labels by the model")
    return {"no_labels": "labels by the 02:00 baseline",
            "model_from": "labels by a model trained elsewhere"}.get(kind, "labels by the model")


def render_labels_source(r: dict) -> list[str]:
    src = r.get("labels_source") or {}
    lines = [f"Labels of run {r['run_id']}: {src.get('text', 'a model')}"
             + (f" ({src['model_from']['kind']} {src['model_from']['path']})"
                if src.get("model_from") else "")]
    if src.get("validation") == "no labels":
        hint = "" if src.get("kind") == "model_from" else \
            " (import labels, or infer --model-from a labelled project)"
        lines.append("  no labels in this project: accuracies, suspicious labels and the error "
                     f"tree need labelled vehicles{hint}")
    return lines


def clock_sources_text(r: dict) -> str:
    lt = r.get("local_time") or {}
    return "Local time: " + ", ".join(f"{n} vehicle(s) by {CLOCK_WORDS.get(k, k)}"
                                      for k, n in (lt.get("sources") or {}).items())


def clock_findings(r: dict) -> list[dict[str, str]]:
    """The vehicles whose clock looks wrong, in words: [{"kind": "clock fault?" | "clock
    shifted?" | "clock off by hours?", "vehicle_id", "text"}] — the report's lines and the
    Clocks tab's rows; a population's finding names it ("firmware = fw-3.1") in place of a
    vehicle."""
    from auditor.analysis.hour_shift import fleet_shift_text, hour_shift_text
    lt = r.get("local_time") or {}
    out = [{"kind": "clock off by hours?", "vehicle_id": "the whole fleet",
            "text": fleet_shift_text(lt["fleet_shift"])}] if lt.get("fleet_shift") else []
    out += [{"kind": "clock off by hours?", "vehicle_id": f"{h['column']} = {h['value']}",
             "text": hour_shift_text(h)} for h in lt.get("hour_shifts") or []]
    for d in lt.get("disagreements") or []:
        clock = (f"stamps say UTC{_offset(d['stated_offset_min'])}"
                 if d["source"] == "stated_offset" else f"metadata says {d['timezone']}")
        out.append({"kind": "clock fault?", "vehicle_id": d["vehicle_id"],
                    "text": f"{clock} but it parks in {d['location_timezone']} "
                            f"(UTC{_offset(d['location_offset_min'])}); "
                            f"{100 * d['disagree_share']:.0f}% of its pings disagree"
                            + (f" — or are its lat and lon swapped? Swapped, it parks in "
                               f"{d['swapped_timezone']}, as its clock says"
                               if d.get("swapped_timezone") else
                               f" — or has its {d['flipped']} lost its sign (a minus, a "
                               f"hemisphere letter)? Flipped, it parks in "
                               f"{d['flipped_timezone']}, as its clock says"
                               if d.get("flipped_timezone") else "")})
    for s in lt.get("time_shifts") or []:
        days = s["days_from_fleet"]
        why = (": a multiple of 1024 weeks, as a GPS receiver's week counter wrapping shifts "
               "a clock — correct its stamps and import them again with --replace"
               if s["gps_week_rollover"] else "")
        out.append({"kind": "clock shifted?", "vehicle_id": s["vehicle_id"],
                    "text": f"its trips run {_day(s['first_ts'])} to {_day(s['last_ts'])}, "
                            f"{abs(days):,.0f} days {'before' if days < 0 else 'after'} the "
                            f"rest of the fleet's{why}"})
    return out


def render_local_time(r: dict) -> list[str]:
    if not (r.get("local_time") or {}).get("sources"):
        return []
    found = clock_findings(r)
    hours = [f for f in found if f["kind"] == "clock off by hours?"][:10]
    faults = [f for f in found if f["kind"] == "clock fault?"][:10]
    shifts = [f for f in found if f["kind"] == "clock shifted?"][:10]
    return [clock_sources_text(r)] + [f"  {f['kind']} {f['text']}" for f in hours] + [
        f"  {f['kind']} {f['vehicle_id']}: {f['text']}" for f in faults + shifts]


def clock_places(inp: ReportInputs, report: dict) -> dict:
    """("clock", vehicle_id) -> the places of each vehicle the Clocks tab lists."""
    named = {f["vehicle_id"] for f in clock_findings(report)}
    if not named:
        return {}
    pred = inp.pred[inp.pred["vehicle_id"].isin(named)]
    out = {("clock", v): sorted(map(str, g["place_id"])) for v, g in pred.groupby("vehicle_id")}
    for h in (report.get("local_time") or {}).get("hour_shifts") or []:  # a population's
        col = inp.meta[h["column"]].fillna("").astype(str) if h["column"] in inp.meta else None
        if col is None:
            continue
        ids = set(inp.meta.loc[(col == h["value"]).to_numpy(), "vehicle_id"])
        out[("clock", f"{h['column']} = {h['value']}")] = sorted(
            map(str, inp.pred.loc[inp.pred["vehicle_id"].isin(ids), "place_id"]))
    return out


def _day(ts: int) -> str:
    import datetime
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime("%Y-%m-%d")


def render_orphaned(r: dict) -> list[str]:
    o = r.get("orphaned_flags") or {}
    if not o.get("n"):
        return []
    lines = [f"Orphaned flags: {o['n']} point at no place since the last infer — re-attach or "
             "revoke them ('auditor flags PROJECT'); export refuses until then"]
    for f in o["flags"][:10]:
        lines.append(f"  event {f['event_id']} {f['action']} {f['new_value'] or ''} "
                     f"(was {f['flagged_target_id']}): {f['detail']}")
    return lines


def _offset(minutes) -> str:
    if minutes is None:
        return "?"
    sign = "+" if minutes >= 0 else "-"
    m = abs(int(minutes))
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


LABELS_SOURCE = AnalysisEntry(key="labels_source", step="labels source",
                              compute=compute_labels_source, render_text=render_labels_source)
LOCAL_TIME = AnalysisEntry(key="local_time", title="Clocks", step="vehicle clocks",
                           compute=compute_local_time, render_text=render_local_time,
                           places=clock_places, view="auditor.gui.analyses.clocks:ClocksView")
# the tab reads the orphans from the log (they change with every flag), not from the report
ORPHANED_FLAGS = AnalysisEntry(key="orphaned_flags", title="Orphans",
                               step="orphaned flags", compute=compute_orphaned,
                               render_text=render_orphaned,
                               view="auditor.gui.analyses.orphans:OrphanedFlagsView")
