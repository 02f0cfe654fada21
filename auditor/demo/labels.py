"""The given (survey/upstream) labels: home and work of ~60% of vehicles with geocoding noise,
and ~5% of label rows wrong the ways real labels go wrong: home and work swapped, a label
pinned on a frequent errand place, or coordinates about a kilometre off."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.demo.cities import to_latlon
from auditor.demo.population import HOME, Vehicle

WRONG_SHARE = 0.05
WRONG_KINDS = ("swapped", "errand", "offset")
GEOCODE_NOISE_M = (20.0, 40.0)
OFFSET_M = (800.0, 1500.0)


@dataclass
class LabelRow:
    vehicle_id: str
    label: str
    lat: float
    lon: float


def _ring(rng, r_min: float, r_max: float) -> np.ndarray:
    r = rng.uniform(r_min, r_max)
    a = rng.uniform(0, 2 * np.pi)
    return r * np.array([np.cos(a), np.sin(a)])


def _plan_wrong(rng, labelled: list[Vehicle],
                wrong_share: float = WRONG_SHARE) -> dict[str, tuple[str, str | None]]:
    """vehicle_id -> (kind, label it spoils; None = both for a swap). About ``wrong_share`` of
    the label rows, and every kind at least once when there are enough labels."""
    n_rows = sum(1 + (v.places.work is not None) for v in labelled)
    target = round(wrong_share * n_rows)
    at_least_each = n_rows >= 30 and target > 0
    order = [labelled[i] for i in rng.permutation(len(labelled))]
    with_work = [v for v in order if v.places.work is not None]
    plan: dict[str, tuple[str, str | None]] = {}
    rows = 0
    k = 0
    while rows < target or (at_least_each and len(plan) < len(WRONG_KINDS)):
        kind = WRONG_KINDS[k % len(WRONG_KINDS)]
        k += 1
        pool = with_work if kind == "swapped" else order
        free = [v for v in pool if v.vehicle_id not in plan]
        if not free:
            if k > 3 * len(WRONG_KINDS) + 2 * len(labelled):
                break
            continue
        v = free[0]
        if kind == "swapped":
            plan[v.vehicle_id] = (kind, None)
            rows += 2
        else:
            label = "work" if v.places.work is not None and rng.random() < 0.5 else "home"
            plan[v.vehicle_id] = (kind, label)
            rows += 1
    return plan


def in_population(v: Vehicle, population: tuple[str, str] | None) -> bool:
    if population is None:
        return False
    column, value = population
    return str({"fleet": v.fleet, "firmware": v.firmware, "region": v.city.name,
                "model_year": v.model_year}[column]) == str(value)


def given_labels(rng: np.random.Generator, fleet: list[Vehicle],
                 wrong_share: float = WRONG_SHARE,
                 swapped_population: tuple[str, str] | None = None
                 ) -> tuple[list[LabelRow], list[dict]]:
    """Label rows in vehicle order (home, then work) and the truth list of wrong ones.
    ``swapped_population`` (column, value): those vehicles' home and work labels are all
    swapped (kind "population_swap"); the random wrong labels go to the other vehicles."""
    labelled = [v for v in fleet if v.labelled]
    swapped = {v.vehicle_id for v in labelled
               if in_population(v, swapped_population) and v.places.work is not None}
    plan = _plan_wrong(rng, [v for v in labelled if v.vehicle_id not in swapped], wrong_share)
    plan.update({vid: ("population_swap", None) for vid in swapped})
    rows: list[LabelRow] = []
    wrong: list[dict] = []
    for v in labelled:
        p = v.places
        true_xy = {"home": p.xy[HOME]}
        if p.work is not None:
            true_xy["work"] = p.xy[p.work]
        kind, spoiled = plan.get(v.vehicle_id, (None, None))
        for label, xy in true_xy.items():
            if kind in ("swapped", "population_swap"):
                xy = true_xy["work" if label == "home" else "home"]
            elif kind == "errand" and label == spoiled:
                xy = p.xy[p.favourite_errand]
            elif kind == "offset" and label == spoiled:
                xy = xy + _ring(rng, *OFFSET_M)
            noisy = xy + _ring(rng, *GEOCODE_NOISE_M)
            lat, lon = to_latlon(v.city, noisy)
            rows.append(LabelRow(v.vehicle_id, label, float(lat), float(lon)))
            if kind is not None and (spoiled is None or spoiled == label):
                wrong.append({"vehicle_id": v.vehicle_id, "label": label, "kind": kind})
    return rows, wrong
