"""Vehicle ids that differ between files only in how they were written.

A spreadsheet drops leading zeros ('007' -> '7'), another export upper-cases ('car-7' ->
'CAR-7'): the labels or the vehicles file then name vehicles that have no pings, and nothing
they say is used — labels unmatched ("vehicle_has_no_pings"), metadata (timezone, populations)
silently ignored. This finds such ids, so infer can say what happened and what to write."""
from __future__ import annotations

from typing import Iterable


def _key(vehicle_id: str) -> str:
    text = str(vehicle_id).strip().casefold()
    return text.lstrip("0") or ("0" if text else "")


def written_differently(named: Iterable[str], pinged: Iterable[str]) -> dict[str, str]:
    """{id as named: id in the pings} for the ids in ``named`` that no pinged vehicle has but
    exactly one has once leading zeros, letter case and outer blanks are set aside — and that
    one is not named as well (a file imported again with the ids fixed leaves the old rows
    behind, unused but no longer the vehicle's only ones)."""
    named = set(map(str, named))
    pinged = set(map(str, pinged))
    by_key: dict[str, list[str]] = {}
    for p in pinged:
        by_key.setdefault(_key(p), []).append(p)
    out = {}
    for n in sorted(named - pinged):
        match = by_key.get(_key(n), [])
        if len(match) == 1 and match[0] not in named:
            out[n] = match[0]
    return out


def summary(label_vehicles: Iterable[str], meta_vehicles: Iterable[str],
            pinged: Iterable[str]) -> dict:
    """{"labels": {named: pinged}, "vehicles": {named: pinged}} (the infer summary's
    ``ids_written_differently``)."""
    pinged = list(map(str, pinged))
    return {"labels": written_differently(label_vehicles, pinged),
            "vehicles": written_differently(meta_vehicles, pinged)}


def hint_lines(found: dict) -> list[str]:
    """What infer prints for ``summary``'s result (nothing when every id matches)."""
    lines = []
    for what in ("labels", "vehicles"):
        ids = found.get(what) or {}
        if not ids:
            continue
        named, pinged = next(iter(ids.items()))
        used = "labels are" if what == "labels" else "metadata (timezone, populations) is"
        lines.append(f"{len(ids):,} vehicle id(s) of the {what} file differ from the pings' only "
                     f"in leading zeros or letter case (e.g. {named!r} for {pinged!r}), so their "
                     f"{used} not used — write them as the pings do and import the file again")
    return lines
