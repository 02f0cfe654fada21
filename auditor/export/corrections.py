"""The analysts' flags in force, as the export applies them.

- place label_wrong  -> the row's label becomes the corrected label (train and validation);
- place model_wrong  -> a hard example (upweighted when it is a training row);
- place bad_data     -> the row is excluded;
- vehicle bad_data   -> every row of the vehicle is excluded;
- ping_range bad_data -> the vehicle's features are re-derived without those pings
  (auditor.export.refeature)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from auditor.audit.flags import active_flags, parse_ping_range

EXCLUDED_VEHICLE = "vehicle flagged bad data"
EXCLUDED_PLACE = "place flagged bad data"
EXCLUDED_NO_STOPS = "no stops left after excluding flagged pings"


@dataclass
class AnalystFlags:
    corrections: dict[str, str] = field(default_factory=dict)   # place_id -> label
    hard_places: set[str] = field(default_factory=set)
    bad_places: set[str] = field(default_factory=set)
    bad_vehicles: set[str] = field(default_factory=set)
    ping_ranges: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    reviewed_only: bool = False

    def summary(self) -> dict:
        out = {"label_corrections": len(self.corrections),
               "model_wrong_places": len(self.hard_places),
               "bad_data_places": len(self.bad_places),
               "bad_data_vehicles": len(self.bad_vehicles),
               "bad_data_ping_ranges": sum(len(r) for r in self.ping_ranges.values())}
        if self.reviewed_only:
            out["reviewed_only"] = True
        return out


def read_flags(conn: sqlite3.Connection, reviewed_only: bool = False) -> AnalystFlags:
    """The flags the export applies; ``reviewed_only``: only those a second analyst accepted
    or amended (an amended correction with the reviewer's label)."""
    flags = active_flags(conn, reviewed_only=reviewed_only)
    out = AnalystFlags(reviewed_only=reviewed_only)
    on_place = flags[flags["target_kind"] == "place"]
    fix = on_place[on_place["action"] == "label_wrong"]
    out.corrections = dict(zip(fix["target_id"], fix["new_value"]))
    out.hard_places = set(on_place.loc[on_place["action"] == "model_wrong", "target_id"])
    out.bad_places = set(on_place.loc[on_place["action"] == "bad_data", "target_id"])
    vehicles = flags[(flags["target_kind"] == "vehicle") & (flags["action"] == "bad_data")]
    out.bad_vehicles = set(vehicles["target_id"])
    ranges = flags[(flags["target_kind"] == "ping_range") & (flags["action"] == "bad_data")]
    for target in sorted(ranges["target_id"]):  # few, hand-made: a loop per flag is fine
        vehicle, start, end = parse_ping_range(target)
        out.ping_ranges.setdefault(vehicle, []).append((start, end))
    for spans in out.ping_ranges.values():
        spans.sort()
    return out


def apply_labels_and_exclusions(rows: pd.DataFrame, flags: AnalystFlags) -> pd.DataFrame:
    """Adds ``label`` (given label, corrected where flagged), ``relabelled``, ``hard`` and
    ``excluded`` (reason text, "" when kept) to prediction rows with place_id/vehicle_id."""
    rows = rows.copy()
    corrected = rows["place_id"].map(flags.corrections)
    rows["label"] = corrected.where(corrected.notna(), rows["given_label"])
    rows["relabelled"] = corrected.notna() & (corrected != rows["given_label"])
    rows["hard"] = rows["place_id"].isin(flags.hard_places)
    excluded = np.full(len(rows), "", dtype=object)
    excluded[rows["place_id"].isin(flags.bad_places).to_numpy()] = EXCLUDED_PLACE
    # the vehicle reason wins: it is the broader statement
    excluded[rows["vehicle_id"].isin(flags.bad_vehicles).to_numpy()] = EXCLUDED_VEHICLE
    rows["excluded"] = excluded
    return rows
