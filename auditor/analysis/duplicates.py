"""Duplicated devices and split places: traces that are one trace, places that are one place.

Three findings, each ``{"kind", "ids", "score", "reason", ...}`` (score in 0..1, higher = surer):

- ``cloned_device``: two vehicle ids carry the same drives — a device id cloned, or one
  device's export loaded twice under two ids — maybe with the clock shifted by seconds and
  a few metres of GPS jitter. No ping is compared with another vehicle's pings: each trip is
  first reduced to a signature token (start cell, end cell, departure time bucket; two time
  grids half a bucket apart, so a shift up to half a bucket keeps one token equal). Vehicle
  pairs sharing enough tokens are candidates (a hash join: work grows with the trips, not with
  the pairs of vehicles); each candidate pair is then verified trip by trip: a trip matches
  when the other id has one leaving within ``max_shift_s`` with the same duration (±
  ``same_duration_s``), starting and ending within ``near_m``, and the matches share one clock
  offset (± ``same_duration_s``). Score = matched trips / trips of the smaller of the two
  (a copy of part of the period scores as high as a full copy).
- ``reused_id``: one id carries two devices — its trips keep starting far (> ``teleport_m``)
  from where its previous trip ended, because the next trip is the other device's. Score =
  the share of such "teleports" among its trip-to-trip transitions. A real vehicle starts
  where it parked: a GPS gap makes the odd teleport, not one in ``min_teleport_share``.
- ``split_place``: two places of one vehicle that are probably one place split in two (a big
  car park, the two sides of a street): centres closer than ``split_m``, used in the same role
  (arrival hours within ``split_hours`` h, dwell within a factor ``split_dwell_ratio``) and
  never both on the same day — visits that alternate (interleaved) or one taking over from the
  other (complementary). Score = how close, times how similar.

Every entry names the places it means (``place_ids``) and the flag that settles it
(``suggested_flags``: bad data on the vehicle id that is the copy — the one whose trips are
more fully contained in the other's, else the later id in name order — on the reused id, or on
the split place with fewer visits). Export excludes what is flagged (a vehicle flagged bad data
is left out whole; see auditor.export.corrections)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditor.geo import haversine_m

_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class DuplicateConfig:
    bucket_s: int = 240            # departure time bucket; shifts up to half of it are found
    cell_m: float = 1000.0         # start / end cell of a trip signature
    min_shared_tokens: int = 3     # candidate pairs share at least this many trip tokens
    max_shift_s: int = 120         # a clone's clock offset, at most
    same_duration_s: int = 30      # matched trips last as long, and share one offset, within
    near_m: float = 200.0          # matched trips start and end this close
    min_matched: int = 5           # a clone pair shares at least this many trips
    min_score: float = 0.5         # ... and this share of the smaller id's trips
    teleport_m: float = 1000.0     # a next trip starting farther than this from the last end
    min_teleports: int = 4
    min_teleport_share: float = 0.15
    split_m: float = 300.0         # split places: centres at most this far apart
    split_hours: float = 2.0
    split_dwell_ratio: float = 3.0
    split_same_day_share: float = 0.1
    min_split_visits: int = 2


TRIP_COLUMNS = ["vehicle_id", "start_ts", "end_ts", "start_lat", "start_lon", "end_lat",
                "end_lon"]


def read_trips(conn) -> pd.DataFrame:
    """The trips of the latest inference (one row per trip, by vehicle and start)."""
    return pd.read_sql_query(
        f"SELECT {', '.join(TRIP_COLUMNS)} FROM trips WHERE start_lat IS NOT NULL AND "
        "end_lat IS NOT NULL ORDER BY vehicle_id, start_ts", conn)


def _cells(lat: np.ndarray, lon: np.ndarray, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    step = cell_m / _M_PER_DEG
    # one lon step for the whole fleet (at its mean latitude) keeps cells comparable
    lon_step = step / max(np.cos(np.radians(np.nanmean(lat))), 0.05) if len(lat) else step
    return (np.floor(lat / step).astype(np.int64), np.floor(lon / lon_step).astype(np.int64))


def _candidate_pairs(trips: pd.DataFrame, code: np.ndarray, cfg: DuplicateConfig) -> pd.DataFrame:
    """(a, b) vehicle codes (a < b) sharing at least ``min_shared_tokens`` trip tokens."""
    slat, slon = _cells(trips["start_lat"].to_numpy(float), trips["start_lon"].to_numpy(float),
                        cfg.cell_m)
    elat, elon = _cells(trips["end_lat"].to_numpy(float), trips["end_lon"].to_numpy(float),
                        cfg.cell_m)
    start = trips["start_ts"].to_numpy(np.int64)
    frames = []
    for grid, offset in enumerate((0, cfg.bucket_s // 2)):
        bucket = np.floor_divide(start + offset, cfg.bucket_s)
        token = _hash_rows(grid, bucket, slat, slon, elat, elon)
        frames.append(pd.DataFrame({"token": token, "v": code}))
    tok = pd.concat(frames, ignore_index=True).drop_duplicates()
    # only tokens that more than one vehicle holds can make a pair
    tok = tok[tok.duplicated("token", keep=False)]
    if tok.empty:
        return pd.DataFrame({"a": [], "b": [], "shared": []}, dtype=np.int64)
    pairs = tok.merge(tok, on="token")
    pairs = pairs[pairs["v_x"] < pairs["v_y"]]
    counts = pairs.groupby(["v_x", "v_y"]).size().rename("shared").reset_index()
    counts = counts[counts["shared"] >= cfg.min_shared_tokens]
    return counts.rename(columns={"v_x": "a", "v_y": "b"}).reset_index(drop=True)


def _hash_rows(*cols) -> np.ndarray:
    """One uint64 per row of integer columns (pandas' stable hash, combined)."""
    h = np.zeros(len(cols[-1]), dtype=np.uint64)
    for c in cols:
        arr = np.broadcast_to(np.asarray(c, dtype=np.int64), h.shape)
        h = h * np.uint64(1_000_003) ^ pd.util.hash_array(arr)
    return h


def _verify(trips: pd.DataFrame, code: np.ndarray, pairs: pd.DataFrame,
            cfg: DuplicateConfig) -> pd.DataFrame:
    """Trip-by-trip check of candidate pairs: matched trips, offset, distances."""
    if pairs.empty:
        return pd.DataFrame()
    start = trips["start_ts"].to_numpy(np.int64)
    end = trips["end_ts"].to_numpy(np.int64)
    n_trips = np.bincount(code)
    first = np.r_[0, np.cumsum(n_trips)[:-1]]
    # every trip of a, beside the trip of b leaving nearest in time (trips sorted by code,
    # start: one searchsorted on a combined key finds it for all pairs at once)
    a = pairs["a"].to_numpy(np.int64)
    b = pairs["b"].to_numpy(np.int64)
    reps = n_trips[a]
    pair_idx = np.repeat(np.arange(len(pairs)), reps)
    within = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    ia = first[a][pair_idx] + within
    span = int(start.max() - start.min()) + 10 * cfg.max_shift_s + 1
    key = code * span + (start - start.min())
    want = b[pair_idx] * span + (start[ia] - start.min())
    pos = np.searchsorted(key, want)
    best = np.full(len(ia), -1)
    best_dt = np.full(len(ia), np.iinfo(np.int64).max)
    for cand in (pos - 1, pos):
        ok = (cand >= 0) & (cand < len(key))
        c = np.where(ok, cand, 0)
        ok &= code[c] == b[pair_idx]
        dt = np.abs(start[c] - start[ia])
        better = ok & (dt < best_dt)
        best = np.where(better, c, best)
        best_dt = np.where(better, dt, best_dt)
    has = best >= 0
    ib = np.where(has, best, 0)
    d_start = (start[ib] - start[ia]).astype(float)
    d_end = (end[ib] - end[ia]).astype(float)
    near_s = haversine_m(trips["start_lat"].to_numpy()[ia], trips["start_lon"].to_numpy()[ia],
                         trips["start_lat"].to_numpy()[ib], trips["start_lon"].to_numpy()[ib])
    near_e = haversine_m(trips["end_lat"].to_numpy()[ia], trips["end_lon"].to_numpy()[ia],
                         trips["end_lat"].to_numpy()[ib], trips["end_lon"].to_numpy()[ib])
    match = (has & (np.abs(d_start) <= cfg.max_shift_s)
             & (np.abs(d_end - d_start) <= cfg.same_duration_s)
             & (near_s <= cfg.near_m) & (near_e <= cfg.near_m))
    m = pd.DataFrame({"pair": pair_idx[match], "shift": d_start[match],
                      "dist": (near_s[match] + near_e[match]) / 2})
    if m.empty:
        return pd.DataFrame()
    # one clock offset: the matches around the pair's median shift
    med = m.groupby("pair")["shift"].transform("median")
    m = m[np.abs(m["shift"] - med) <= cfg.same_duration_s]
    agg = m.groupby("pair").agg(matched=("shift", "size"), shift=("shift", "median"),
                                dist=("dist", "median"))
    out = pairs.iloc[agg.index].reset_index(drop=True)
    out = out.assign(matched=agg["matched"].to_numpy(), shift=agg["shift"].to_numpy(),
                     dist=agg["dist"].to_numpy(), n_a=n_trips[out["a"]],
                     n_b=n_trips[out["b"]])
    out["score"] = out["matched"] / np.minimum(out["n_a"], out["n_b"])
    return out[(out["matched"] >= cfg.min_matched) & (out["score"] >= cfg.min_score)]


def cloned_devices(trips: pd.DataFrame, cfg: DuplicateConfig | None = None) -> list[dict]:
    """Vehicle id pairs carrying the same drives (module docstring), best first."""
    cfg = cfg or DuplicateConfig()
    if trips.empty:
        return []
    trips = trips.sort_values(["vehicle_id", "start_ts"], kind="mergesort").reset_index(drop=True)
    names, code = np.unique(trips["vehicle_id"].to_numpy(str), return_inverse=True)
    code = code.astype(np.int64)
    found = _verify(trips, code, _candidate_pairs(trips, code, cfg), cfg)
    out = []
    for r in found.itertuples(index=False):
        a, b = str(names[r.a]), str(names[r.b])
        # the copy: the id whose trips are more fully inside the other's, else the later id
        # (ids are usually issued in order; which one is the copy cannot be told otherwise)
        share_a, share_b = r.matched / r.n_a, r.matched / r.n_b
        if share_a != share_b:
            copy = a if share_a > share_b else b
        else:
            copy = b
        shift = int(round(r.shift))
        out.append({
            "kind": "cloned_device", "ids": sorted([a, b]), "score": round(float(r.score), 4),
            "reason": ("One device under two ids (or two devices always travelling together): "
                       f"{a} and {b} drive the same {int(r.matched)} trips (of {int(r.n_a)} and "
                       f"{int(r.n_b)}), {abs(shift)} s {'later' if shift >= 0 else 'earlier'} "
                       f"under {b}, {r.dist:.0f} m apart at the ends"),
            "matched_trips": int(r.matched), "trips": [int(r.n_a), int(r.n_b)],
            "shift_s": shift, "distance_m": round(float(r.dist), 1),
            "suggested_flags": [{"target_kind": "vehicle", "target_id": copy,
                                 "action": "bad_data"}],
        })
    out.sort(key=lambda e: (-e["score"], e["ids"]))
    return out


def reused_ids(trips: pd.DataFrame, cfg: DuplicateConfig | None = None) -> list[dict]:
    """Ids whose trips keep starting far from where the last one ended (module docstring)."""
    cfg = cfg or DuplicateConfig()
    if len(trips) < 2:
        return []
    t = trips.sort_values(["vehicle_id", "start_ts"], kind="mergesort")
    v = t["vehicle_id"].to_numpy(str)
    same = v[1:] == v[:-1]
    gap = haversine_m(t["end_lat"].to_numpy()[:-1], t["end_lon"].to_numpy()[:-1],
                      t["start_lat"].to_numpy()[1:], t["start_lon"].to_numpy()[1:])
    frame = pd.DataFrame({"v": v[1:][same], "tele": gap[same] > cfg.teleport_m})
    agg = frame.groupby("v")["tele"].agg(["size", "sum"])
    agg["share"] = agg["sum"] / agg["size"]
    hit = agg[(agg["sum"] >= cfg.min_teleports) & (agg["share"] >= cfg.min_teleport_share)]
    out = []
    for vid, r in hit.iterrows():
        out.append({
            "kind": "reused_id", "ids": [str(vid)], "score": round(float(r["share"]), 4),
            "reason": (f"Two devices report under this id: {int(r['sum'])} of "
                       f"{int(r['size'])} trips of {vid} start more than "
                       f"{cfg.teleport_m / 1000:g} km from where its previous trip ended"),
            "teleports": int(r["sum"]), "transitions": int(r["size"]),
            "suggested_flags": [{"target_kind": "vehicle", "target_id": str(vid),
                                 "action": "bad_data"}],
        })
    out.sort(key=lambda e: (-e["score"], e["ids"]))
    return out


def _circ_diff_h(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.abs(a - b) % 24
    return np.minimum(d, 24 - d)


def split_places(stops: pd.DataFrame, places: pd.DataFrame,
                 cfg: DuplicateConfig | None = None) -> list[dict]:
    """Place pairs of one vehicle that are probably one place (module docstring).
    ``stops``: vehicle_id, place_id, start_ts, end_ts (+ start_local, else UTC is used);
    ``places``: place_id, vehicle_id, lat, lon."""
    cfg = cfg or DuplicateConfig()
    s = stops[stops["place_id"].notna()]
    if s.empty or places.empty:
        return []
    local = s["start_local"] if "start_local" in s else s["start_ts"]
    s = s.assign(day=np.floor_divide(local.to_numpy(np.int64), 86_400),
                 hour=(local.to_numpy(np.int64) % 86_400) / 3600.0,
                 dwell=(s["end_ts"] - s["start_ts"]).to_numpy(float))
    ang = s["hour"].to_numpy() / 24 * 2 * np.pi
    s = s.assign(cx=np.cos(ang), sy=np.sin(ang))
    per = s.groupby("place_id").agg(n=("day", "size"), cx=("cx", "mean"), sy=("sy", "mean"),
                                    dwell=("dwell", "median"))
    per["hour"] = (np.degrees(np.arctan2(per["sy"], per["cx"])) % 360) / 15.0
    pl = places.set_index("place_id")[["vehicle_id", "lat", "lon"]].join(per, how="inner")
    pl = pl[pl["n"] >= cfg.min_split_visits].reset_index()
    # pairs within one vehicle whose centres are close: a self-join per vehicle on a grid
    step = cfg.split_m / _M_PER_DEG
    pl["gy"] = np.floor(pl["lat"] / step).astype(np.int64)
    pairs = []
    for dy in (-1, 0, 1):
        other = pl.assign(gy=pl["gy"] + dy)
        pairs.append(pl.merge(other, on=["vehicle_id", "gy"], suffixes=("_a", "_b")))
    p = pd.concat(pairs, ignore_index=True)
    p = p[p["place_id_a"] < p["place_id_b"]]
    if p.empty:
        return []
    p["dist"] = haversine_m(p["lat_a"], p["lon_a"], p["lat_b"], p["lon_b"])
    p = p[p["dist"] <= cfg.split_m]
    p["dh"] = _circ_diff_h(p["hour_a"].to_numpy(), p["hour_b"].to_numpy())
    ratio = np.maximum(p["dwell_a"], p["dwell_b"]) / np.maximum(
        np.minimum(p["dwell_a"], p["dwell_b"]), 60.0)
    p = p[(p["dh"] <= cfg.split_hours) & (ratio <= cfg.split_dwell_ratio)]
    if p.empty:
        return []
    days = s.groupby("place_id")["day"].apply(lambda d: set(d.tolist()))
    out = []
    for r in p.itertuples(index=False):  # few candidates: close places of one vehicle
        da, db = days[r.place_id_a], days[r.place_id_b]
        both = len(da & db)
        if both > cfg.split_same_day_share * min(len(da), len(db)):
            continue
        order = s[s["place_id"].isin([r.place_id_a, r.place_id_b])].sort_values("start_ts")
        seq = order["place_id"].to_numpy()
        switches = int((seq[1:] != seq[:-1]).sum())
        pattern = "alternate" if switches > 1 else "one takes over from the other"
        score = (1 - r.dist / cfg.split_m) * 0.5 + (1 - r.dh / cfg.split_hours) * 0.5
        small = r.place_id_a if (r.n_a, r.place_id_b) < (r.n_b, r.place_id_a) else r.place_id_b
        out.append({
            "kind": "split_place", "ids": [r.place_id_a, r.place_id_b],
            "score": round(float(score), 4),
            "reason": (f"Probably one place split in two: places {r.place_id_a} and "
                       f"{r.place_id_b} of {r.vehicle_id} lie {r.dist:.0f} m apart, are reached "
                       f"at the same hour (±{r.dh:.1f} h) and never on the same day; their "
                       f"visits {pattern}"),
            "distance_m": round(float(r.dist), 1), "visits": [int(r.n_a), int(r.n_b)],
            "place_ids": [r.place_id_a, r.place_id_b], "vehicle_id": r.vehicle_id,
            "suggested_flags": [{"target_kind": "place", "target_id": small,
                                 "action": "bad_data"}],
        })
    out.sort(key=lambda e: (-e["score"], e["ids"]))
    return out


def find_duplicates(trips: pd.DataFrame, stops: pd.DataFrame, places: pd.DataFrame,
                    cfg: DuplicateConfig | None = None) -> list[dict]:
    """Every finding, cloned devices first, then reused ids, then split places."""
    cfg = cfg or DuplicateConfig()
    return cloned_devices(trips, cfg) + reused_ids(trips, cfg) + split_places(stops, places, cfg)


def naive_cloned_pairs(trips: pd.DataFrame, cfg: DuplicateConfig | None = None) -> int:
    """The baseline for bench/duplicates.py: verify EVERY pair of vehicles (no signatures);
    returns how many pairs pass. Quadratic in vehicles: run it on a subsample."""
    cfg = cfg or DuplicateConfig()
    trips = trips.sort_values(["vehicle_id", "start_ts"], kind="mergesort").reset_index(drop=True)
    _, code = np.unique(trips["vehicle_id"].to_numpy(str), return_inverse=True)
    n = int(code.max()) + 1 if len(code) else 0
    a, b = np.triu_indices(n, k=1)
    pairs = pd.DataFrame({"a": a, "b": b, "shared": 0})
    return int(len(_verify(trips, code.astype(np.int64), pairs, cfg)))
