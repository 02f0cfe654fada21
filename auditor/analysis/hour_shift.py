"""Clocks off by hours: a population whose day runs hours off the rest of the fleet's (a
clock fault in one firmware), or a whole fleet whose day runs hours off any fleet's.

A firmware that writes local wall-clock time but marks it UTC moves every local time of its
vehicles by their zone's offset (one that writes the UTC reading with a local offset moves
them the other way): the model may cope (dwell and visit counts do not care), the error tree
then shows nothing, and each stamp agrees with itself. What shows is the population's daily
rhythm: the hours its vehicles depart and arrive match the rest of the fleet's only once each
vehicle's own offset is undone — a population across cities moves by several offsets at once.

For each metadata population (a value of a column with few values; MIN_VEHICLES vehicles and
MIN_EVENTS departures and arrivals or more) the share of departures and arrivals per local
hour, smoothed, each vehicle weighted alike, is correlated with the rest of the fleet's: as it
is, with each vehicle's offset undone either way, and at every whole-hour lag. A population is
named when one of these moves it by MIN_LAG_H hours or more and matches clearly (r >= MATCH)
and far better than as it is (by MARGIN). A lag that no offset explains may be night shifts;
the words say both. A whole fleet has no rest to be set against: its day's centre is (see
DAYTIME, fleet_shift).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.analysis.frames import split_metadata

DAY = 86_400
MIN_VEHICLES = 3
MAX_LEVELS = 20     # a column with more values is no population (an id, a free text)
MATCH = 0.8
MARGIN = 0.3
OFFSET_SLACK = 0.02
# a rhythm from fewer departures and arrivals is noise (4 vehicles over 4 days matched the rest
# moved 2 h at r 0.83); and 1-2 h is a population that starts early (builders, bakers), not a
# clock: a fault this check names moves a population by 3 h or more
MIN_EVENTS = 100
MIN_LAG_H = 3
# a population named, each of its vehicles is judged alone: one whose own hours match the
# rest's clearly as they are (r >= MATCH) and by KEEP_MARGIN more than undone keeps its clock
# (honest vehicles on a faulty firmware) and is left out of the command that reads the
# population again. A vehicle whose hours match nobody's either way (a night worker, faulty
# or not: as is 0.1-0.6 on the generated fleets, often above undone) follows its population.
KEEP_MARGIN = 0.2
# at most this many vehicle ids spelt out in a command (--only vehicle_id=... each)
MAX_LISTED = 20
_KERNEL = np.exp(-0.5 * np.arange(-2, 3) ** 2) / np.exp(-0.5 * np.arange(-2, 3) ** 2).sum()


def _hour_profiles(stops: pd.DataFrame) -> pd.DataFrame:
    """Per vehicle, the share of its departures and arrivals in each local hour (24 columns)."""
    codes, ids = pd.factorize(stops["vehicle_id"], sort=True)
    hours = np.r_[np.mod(stops["start_local"].to_numpy(dtype=np.int64), DAY) // 3600,
                  np.mod(stops["end_local"].to_numpy(dtype=np.int64), DAY) // 3600]
    counts = np.bincount(np.r_[codes, codes] * 24 + hours,
                         minlength=len(ids) * 24).reshape(len(ids), 24).astype(float)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    # smoothed over neighbouring hours (a circular kernel, sd 1 h): a population leaving at
    # 07:45 and the rest at 07:15 keep one rhythm, not two peaks an hour apart
    smooth = sum(w * np.roll(share, d, axis=1) for d, w in zip(range(-2, 3), _KERNEL))
    return pd.DataFrame(smooth, index=pd.Index(ids, name="vehicle_id"), columns=range(24))


# row ``lag`` of rest[_LAGGED] is rest moved later by ``lag`` hours (np.roll(rest, lag))
_LAGGED = (np.arange(24)[None, :] - np.arange(24)[:, None]) % 24


def _circular_r(rest: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """Pearson r of ``pop`` with ``rest`` moved later by 0..23 hours (0 where either is
    flat)."""
    moved = rest[_LAGGED]
    moved = moved - moved.mean(axis=1, keepdims=True)
    centred = pop - pop.mean()
    scale = np.sqrt((moved ** 2).sum(axis=1) * (centred ** 2).sum())
    return np.divide(moved @ centred, scale, out=np.zeros(24), where=scale > 0)


def clock_offsets_h(stops: pd.DataFrame) -> pd.Series:
    """vehicle_id -> the UTC offset (hours) its local times were made with, at its median
    stop (local stops carry both clocks)."""
    if stops.empty:
        return pd.Series(dtype=float)
    off = (stops["start_local"].to_numpy(dtype=np.int64)
           - stops["start_ts"].to_numpy(dtype=np.int64)) / 3600.0
    return pd.Series(off).groupby(stops["vehicle_id"].to_numpy()).median()


def _moved_by_offsets(profiles: np.ndarray, offsets: np.ndarray, sign: int) -> np.ndarray:
    """The mean profile with each vehicle's moved by ``sign`` times its own UTC offset."""
    hours = sign * np.round(offsets).astype(int)
    # np.roll of each row by its own hours, as one gather
    take = (np.arange(24)[None, :] - hours[:, None]) % 24
    return profiles[np.arange(len(profiles))[:, None], take].mean(axis=0)


# how a population's clock may be off, and what undoes it (module docstring)
LOCAL_AS_UTC, UTC_AS_LOCAL, HOURS = "local_as_utc", "utc_as_local", "hours"


def _kept_and_fix(rest: np.ndarray, own: np.ndarray, offsets: np.ndarray, kind: str,
                  ids: np.ndarray) -> dict[str, list[str]]:
    """{"kept_vehicles": the population's vehicles whose own hours match ``rest`` clearly as
    they are, and better than with their offset undone (MATCH, KEEP_MARGIN: their clocks are
    not the fault's), "fix_vehicles": the others when any is kept (else [], the whole
    population)}."""
    if kind == HOURS:  # no command reads these again: nothing to leave out
        return {"kept_vehicles": [], "fix_vehicles": []}
    sign = -1 if kind == LOCAL_AS_UTC else 1
    kept, fix = [], []
    for i, vehicle in enumerate(ids):
        as_is = _circular_r(rest, own[i])[0]
        undone = _circular_r(rest, _moved_by_offsets(own[i:i + 1], offsets[i:i + 1], sign))[0]
        (kept if as_is >= MATCH and as_is - undone > KEEP_MARGIN else fix).append(str(vehicle))
    return {"kept_vehicles": sorted(kept), "fix_vehicles": sorted(fix) if kept else []}


def hour_shifts(stops: pd.DataFrame, meta: pd.DataFrame, offsets_h: pd.Series | None = None,
                zones: pd.Series | None = None) -> list[dict]:
    """[{"column", "value", "vehicles", "kind", "lag_h", "r", "r_unshifted", "zones",
    "kept_vehicles", "fix_vehicles"}], most
    clearly shifted first. ``kind``: ``local_as_utc`` (each vehicle's hours moved back by its
    own UTC offset match the rest's: local time written as UTC), ``utc_as_local`` (moved
    forward by it: the UTC reading written with a local offset) or ``hours`` (one shift of
    the whole population: night shifts, or stamps off by that much); ``lag_h``: how many hours
    later (negative: earlier) the population runs, its median vehicle's; ``r``: how well its
    hours then match the rest's (``r_unshifted``: as they are). ``stops``: local stops
    (vehicle_id, start_ts, start_local, end_local); ``offsets_h``: vehicle_id -> its clock's
    UTC offset in hours (default: from the stops); ``zones``: vehicle_id -> the zone its
    local time follows (for the command that imports them again). ``kept_vehicles``: its
    vehicles whose own hours match the rest's as they are (KEEP_MARGIN), left out of that
    command; ``fix_vehicles``: the others, when any is kept (else [])."""
    if stops.empty or meta.empty or len(meta.columns) < 2:
        return []
    profiles = _hour_profiles(stops)
    events = 2 * stops.groupby("vehicle_id").size()   # a departure and an arrival per stop
    if offsets_h is None:
        offsets_h = clock_offsets_h(stops)
    meta = meta[meta["vehicle_id"].isin(profiles.index)].reset_index(drop=True)
    # one row per vehicle of ``meta``, as arrays: populations are boolean masks over them
    ids = meta["vehicle_id"].to_numpy(dtype=object)
    matrix = profiles.reindex(ids).to_numpy()
    n_events = events.reindex(ids).fillna(0).to_numpy()
    offsets_all = offsets_h.reindex(ids).fillna(0).to_numpy(dtype=float)
    zone_of = zones.reindex(ids).to_numpy(dtype=object) if zones is not None else None
    numeric, categorical = split_metadata(meta, MAX_LEVELS)
    columns = categorical + [c for c in numeric if meta[c].replace("", np.nan).nunique()
                             <= MAX_LEVELS]
    populations = []
    for col in columns:
        values = meta[col].fillna("").astype(str)
        for value, n in values.value_counts().items():
            if value and MIN_VEHICLES <= n < len(values):
                populations.append((col, value, (values == value).to_numpy()))

    def judge(inside: np.ndarray, left_out: np.ndarray) -> dict | None:
        outside = ~inside & ~left_out
        inside = inside & ~left_out
        if inside.sum() < MIN_VEHICLES or outside.sum() < MIN_VEHICLES:
            return None
        if n_events[inside].sum() < MIN_EVENTS or n_events[outside].sum() < MIN_EVENTS:
            return None
        rest = matrix[outside].mean(axis=0)
        own = matrix[inside]
        r = _circular_r(rest, own.mean(axis=0))
        offsets = offsets_all[inside]
        typical = int(round(float(np.median(offsets))))
        lag = int(np.argmax(r))
        shifted = (HOURS, r[lag], lag if lag <= 12 else lag - 24)
        by_offset = max([  # (kind, r once undone, hours the population runs late)
            (LOCAL_AS_UTC, _circular_r(rest, _moved_by_offsets(own, offsets, -1))[0], typical),
            (UTC_AS_LOCAL, _circular_r(rest, _moved_by_offsets(own, offsets, 1))[0], -typical)],
            key=lambda c: c[1])
        # the offsets are the more particular explanation: theirs when (nearly) as good
        kind, best, late = by_offset if by_offset[1] >= shifted[1] - OFFSET_SLACK else shifted
        if abs(late) < MIN_LAG_H or best < MATCH or best - r[0] < MARGIN:
            return None
        return {"vehicles": int(inside.sum()), "kind": kind, "lag_h": int(late),
                "r": round(float(best), 3), "r_unshifted": round(float(r[0]), 3),
                "zones": sorted({str(z) for z in zone_of[inside] if isinstance(z, str)})
                if zone_of is not None else [],
                **_kept_and_fix(rest, own, offsets, kind, ids[inside])}

    none = np.zeros(len(ids), dtype=bool)
    strength = []
    for col, value, inside in populations:
        got = judge(inside, none)
        if got is not None:
            strength.append((-(got["r"] - got["r_unshifted"]), col, value, inside))
    # strongest first — at a like strength (within 0.05) the smaller population: a column of
    # two values sets each against the other, and the odd one is the minority; a population
    # named again only for vehicles a stronger finding holds (model year 2018, mostly on the
    # faulty firmware) is left out: judged without them
    found, explained = [], none.copy()
    for _, col, value, inside in sorted(
            strength, key=lambda t: (np.floor(t[0] * 20), int(t[3].sum()), t[1], t[2])):
        got = judge(inside, explained)
        if got is not None:
            found.append({"column": col, "value": value, **got})
            explained |= inside
    return found


# a fleet's day, wherever it is: its departures and arrivals centre on early afternoon local
# time (11.9-14.4 h on the 30 generated and probe fleets looked at, night shifts and vans
# among them). A centre outside DAYTIME that undoing every vehicle's offset brings inside
# DAYTIME_CORE is a whole fleet's clock fault (no population to set against the rest).
DAYTIME, DAYTIME_CORE = (9.0, 17.0), (10.0, 16.0)
MIN_CONCENTRATION = 0.2   # the profile has a centre at all (resultant length)


def _centre(profile: np.ndarray) -> tuple[float, float]:
    """(circular mean hour 0-24, resultant length 0-1) of an hour profile."""
    angle = (np.arange(24) + 0.5) / 24 * 2 * np.pi
    s, c = float((profile * np.sin(angle)).sum()), float((profile * np.cos(angle)).sum())
    total = float(profile.sum())
    return (float(np.degrees(np.arctan2(s, c)) % 360 / 15),
            float(np.hypot(s, c) / total) if total else 0.0)


def fleet_shift(stops: pd.DataFrame, offsets_h: pd.Series | None = None,
                zones: pd.Series | None = None) -> dict | None:
    """The whole fleet's clock off by its vehicles' offsets (module docstring: a fleet's day):
    {"kind" (local_as_utc | utc_as_local), "vehicles", "centre_h", "centre_undone_h",
    "lag_h", "zones"}, or None."""
    if stops.empty:
        return None
    profiles = _hour_profiles(stops)
    if offsets_h is None:
        offsets_h = clock_offsets_h(stops)
    matrix = profiles.to_numpy()
    offsets = offsets_h.reindex(profiles.index).fillna(0).to_numpy(dtype=float)
    typical = int(round(float(np.median(offsets))))
    centre, concentration = _centre(matrix.mean(axis=0))
    if abs(typical) < MIN_LAG_H or concentration < MIN_CONCENTRATION or \
            DAYTIME[0] <= centre <= DAYTIME[1] or len(profiles) < MIN_VEHICLES:
        return None
    for kind, sign, late in ((LOCAL_AS_UTC, -1, typical), (UTC_AS_LOCAL, 1, -typical)):
        undone, _ = _centre(_moved_by_offsets(matrix, offsets, sign))
        if DAYTIME_CORE[0] <= undone <= DAYTIME_CORE[1]:
            return {"kind": kind, "vehicles": int(len(profiles)), "lag_h": late,
                    "centre_h": round(float(centre), 1),
                    "centre_undone_h": round(float(undone), 1),
                    "zones": sorted({str(z) for z in zones.reindex(profiles.index).dropna()})
                    if zones is not None else []}
    return None


def fleet_shift_text(f: dict) -> str:
    """The whole fleet's clock fault in words, with the command that reads it again."""
    import shlex
    zones = f.get("zones") or []
    tz = zones[0] if len(zones) == 1 else "vehicle"
    when = f"{abs(f['lag_h'])} h {'later' if f['lag_h'] > 0 else 'earlier'}"
    # a fleet that works only nights looks the same: the words ask
    how, read_as = (("local time written as UTC, or a fleet working nights?", shlex.quote(tz))
                    if f["kind"] == LOCAL_AS_UTC else
                    ("the UTC reading written with a local offset, or a fleet working "
                     "nights?", "UTC"))
    return (f"the whole fleet ({f['vehicles']} vehicles) departs and arrives around "
            f"{f['centre_h']:04.1f} h local time, {when} than fleets do (around 13 h; with each "
            f"vehicle's own UTC offset undone, {f['centre_undone_h']:04.1f} h): {how} If its clock, "
            f"import its pings again: auditor ingest PROJECT PINGS.csv --ignore-offset --tz {read_as} "
            "--replace")


def hour_shift_text(f: dict) -> str:
    """One population's finding in words, with the command that undoes a clock fault."""
    import shlex
    when = f"{abs(f['lag_h'])} h {'later' if f['lag_h'] > 0 else 'earlier'}"
    text = (f"{f['column']} = {f['value']} ({f['vehicles']} vehicles) departs and arrives "
            f"{when} than the rest of the fleet")
    if f["kind"] == HOURS:
        return text + (f" (moved back {abs(f['lag_h'])} h, its hours match theirs: r "
                       f"{f['r']:.2f}; as they are {f['r_unshifted']:.2f}): night shifts, or "
                       "stamps off by that much?")
    text += (f" — each vehicle by its own UTC offset (that undone, its hours match theirs: "
             f"r {f['r']:.2f}; as they are {f['r_unshifted']:.2f}): ")
    text += ("local time written as UTC? " if f["kind"] == LOCAL_AS_UTC else
             "the UTC reading written with a local offset? ")
    only, whom = "--only " + shlex.quote(f"{f['column']}={f['value']}"), "its pings"
    kept, fix = f.get("kept_vehicles") or [], f.get("fix_vehicles") or []
    then = ""
    if kept:
        text += f"{len(kept)} of them keep the fleet's hours ({_listed(kept)}). "
        if len(fix) <= MAX_LISTED:  # the others by name, so the kept keep their pings
            only = " ".join(_only_vehicles(fix))
            whom = f"the other {len(fix)} vehicles' pings"
        elif len(kept) <= MAX_LISTED:  # all of them, then the kept as first imported
            then = (f"; then the {len(kept)} that keep the fleet's hours again as first "
                    f"imported (its options, e.g. --tz), with {' '.join(_only_vehicles(kept))} "
                    "--replace")
        else:
            then = (f"; then the {len(kept)} that keep the fleet's hours (report --json: "
                    "kept_vehicles) again as first imported, with --replace")
    if f["kind"] == LOCAL_AS_UTC:
        zones = f.get("zones") or []
        tz = zones[0] if len(zones) == 1 else "vehicle"   # several: the vehicles file's zones
        return text + (f"Import {whom} again read as local time: auditor ingest PROJECT "
                       f"PINGS.csv {only} --ignore-offset --tz {shlex.quote(tz)} --replace"
                       + then)
    return text + (f"Import {whom} again read as UTC: auditor ingest PROJECT PINGS.csv {only} "
                   "--ignore-offset --tz UTC --replace" + then)


def _only_vehicles(ids: list[str]) -> list[str]:
    """--only vehicle_id=... for each id, quoted for a shell."""
    import shlex
    return ["--only " + shlex.quote(f"vehicle_id={v}") for v in ids]


def _listed(ids: list[str], most: int = 5) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")
