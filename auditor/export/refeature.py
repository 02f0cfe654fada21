"""Features re-derived without the pings analysts flagged as bad data (ping_range flags).

For each vehicle with such a flag, its pings minus every flagged range (inclusive) go through
``derive_vehicle_tables`` with the model run's inference settings. The re-derived places get
fresh ids, so they are matched back to the original place ids (the ids labels, predictions
and flags refer to) by this rule:

  every (original place, re-derived place) pair of the vehicle whose centroids are within
  ``match_radius_m`` (default 100 m, the place radius) is a candidate; candidates are taken
  greedily in order of (distance, original place_id, re-derived place_id), each place used at
  most once. A matched original place takes the re-derived place's features; an original place
  left unmatched lost all its stops and is excluded from the export; re-derived places that
  match nothing are new (no label) and are ignored."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from auditor.geo import haversine_m
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.progress import Progress, report
from auditor.store.queries import read_pings, read_vehicles


def drop_ranges(pings: pd.DataFrame, spans: list[tuple[int, int]]) -> pd.DataFrame:
    ts = pings["ts"].to_numpy()
    bad = np.zeros(len(pings), dtype=bool)
    for start, end in spans:  # one vectorised pass per flagged range
        bad |= (ts >= start) & (ts <= end)
    return pings[~bad]


def match_places(original: pd.DataFrame, derived: pd.DataFrame,
                 radius_m: float) -> dict[str, str]:
    """original place_id -> derived place_id by the greedy nearest-centroid rule above."""
    if original.empty or derived.empty:
        return {}
    d = haversine_m(original["lat"].to_numpy()[:, None], original["lon"].to_numpy()[:, None],
                    derived["lat"].to_numpy()[None, :], derived["lon"].to_numpy()[None, :])
    oi, di = np.nonzero(d <= radius_m)
    if not len(oi):
        return {}
    o_ids = original["place_id"].to_numpy(dtype=object)[oi]
    d_ids = derived["place_id"].to_numpy(dtype=object)[di]
    pairs = pd.DataFrame({"dist": d[oi, di], "orig": o_ids, "new": d_ids})
    pairs = pairs.sort_values(["dist", "orig", "new"], kind="mergesort")
    out: dict[str, str] = {}
    used: set[str] = set()
    for _dist, orig, new in pairs.itertuples(index=False, name=None):  # places of one vehicle
        if orig in out or new in used:
            continue
        out[orig] = new
        used.add(new)
    return out


def refeature(conn: sqlite3.Connection, ranges: dict[str, list[tuple[int, int]]],
              vehicles: list[str], infer_config: dict,
              radius_m: float, progress: Progress | None = None):
    """(features of matched original places, indexed by original place_id, FEATURE_COLUMNS;
    set of original place ids that lost all stops; per-vehicle summary)."""
    targets = sorted(v for v in vehicles if v in ranges)
    if not targets:
        return pd.DataFrame(columns=FEATURE_COLUMNS, dtype=float), set(), {}
    # here, not at module level: inference pulls in scikit-learn's ensemble (~1 s of every
    # export's start), and only an export with ping-range flags re-derives anything
    from auditor.pipeline.api import derive_vehicle_tables
    from auditor.pipeline.localtime import with_clock_zones
    # the zone inference looked up where each vehicle parks, not one re-derived from fewer pings
    meta = with_clock_zones(conn, read_vehicles(conn), targets)
    places = pd.read_sql_query(
        f"SELECT place_id, vehicle_id, lat, lon FROM places WHERE vehicle_id IN "
        f"({','.join('?' * len(targets))}) ORDER BY place_id", conn, params=tuple(targets))
    frames, lost, summary = [], set(), {}
    for i, vehicle in enumerate(targets):  # only vehicles with a ping-range flag
        report(progress, i, len(targets), f"re-deriving {vehicle}")
        pings = read_pings(conn, [vehicle])
        kept = drop_ranges(pings, ranges[vehicle])
        original = places[places["vehicle_id"] == vehicle]
        if len(kept):
            derived = derive_vehicle_tables(kept, meta[meta["vehicle_id"] == vehicle],
                                            infer_config)["features"]
        else:
            derived = pd.DataFrame(columns=["place_id", "lat", "lon"] + FEATURE_COLUMNS)
        mapping = match_places(original, derived, radius_m)
        if mapping:
            feats = derived.set_index("place_id").loc[list(mapping.values()), FEATURE_COLUMNS]
            feats.index = pd.Index(list(mapping.keys()), name="place_id")
            frames.append(feats.astype(float))
        gone = set(original["place_id"]) - set(mapping)
        lost |= gone
        summary[vehicle] = {"pings": int(len(pings)), "pings_excluded": int(len(pings) - len(kept)),
                            "ranges": [list(s) for s in ranges[vehicle]],
                            "places_matched": len(mapping), "places_lost": len(gone),
                            "places_new_unmatched": int(len(derived) - len(mapping))}
    report(progress, len(targets), len(targets), "re-derived")
    feats = pd.concat(frames) if frames else pd.DataFrame(columns=FEATURE_COLUMNS, dtype=float)
    return feats, lost, summary
