"""One queue of label issues, from all the evidence there is about each given label.

Every home/work label of the project is checked, whether it matched a place or not:

- the model's out-of-fold view of the labelled place: another class more likely than the given
  one, or the vehicle's other place far likelier to be its home (work) than the labelled one;
- the trajectory (auditor.analysis.evidence): a home never occupied at night, a work place never
  visited on a weekday, a label far from every stop, home and work labels that coincide;
- labels that matched no place, with their reason (auditor.pipeline.labels): farther than the
  label radius from every place, on the same place as the vehicle's other label, a second label
  of one kind, a vehicle without pings;
- two labels on one place: the place's probabilities say which of the two is the odd one.

Each finding is a probability-like strength s in [0, 1]; a label's score is their noisy-OR,
1 - prod(1 - s): independent findings add up, none is capped by a threshold, and one strong
finding alone puts a label high. Strengths:

- model at the place: the margin p(best other class) - p(given) where it is positive (the
  order cleanlab calls normalized_margin; 0 = a tie, no evidence), on probabilities adjusted
  for how common each class is;
- model across the vehicle: the margin between the likeliest other place for the given class
  and the labelled place (a vehicle has one home);
- a label d metres from every place, beyond the label radius R: 1 - exp(-(d - R) / R), from
  0 at R to 0.95 at 4R (how far a geocode may stray is what R states);
- two labels on one place: p(the other label's class) / (p(this class) + p(that class)) at the
  place, i.e. how much likelier the place is the other label's kind (0.5 without a model);
- a duplicate label: likewise between the two labels' places (0.05 when both name one place);
- the trajectory checks, which the model's features already see: 0.5 each, so that they
  decide where the model cannot speak (no model, an unlabelled vehicle) and add weight where
  it can;
- a vehicle without pings or places: 0.02 (nothing can be checked).

Labels come first, ranked by score (ties by label id); then labelled vehicles' unlabelled places
that the model finds to be a home or work ('implied' other: a consequence of a label elsewhere
or a missing one), by score. Nothing is cut off: every label with any finding is in the queue.

``issue_queue`` is the pure function (frames in, frame out); ``label_issues(conn)`` reads a
project; ``issue_entries`` gives the rows as typed LabelIssue records.
"""
from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, fields
from typing import Optional

import numpy as np
import pandas as pd

from auditor.classes import CLASSES
from auditor.geo import haversine_m
from auditor.pipeline.labels import at_other_vehicles, rounding_m

RANKING = "all_evidence"   # report["suspicious_ranking"]: model, trajectory, unmatched labels
OOF = [f"oof_p_{c}" for c in CLASSES]
PROBA = [f"p_{c}" for c in CLASSES]
CHECK_STRENGTH = 0.5
UNCHECKABLE = 0.02
# a label on the place the vehicle's other label holds keeps its strength when another place
# looks like its class (p >= 0.5: a copied address); when none does it may be right (worked
# from home) and keeps p / 0.5 of it, at least NOWHERE_ELSE / 0.5
NOWHERE_ELSE = 0.2
# evidence the queue quotes whole, with how much it adds to a label's score: a home label on
# the home its vehicle left may be stale; one on the home it moved to is explained, not doubted
SAID_IN_FULL = {"home_left": CHECK_STRENGTH, "home_moved_to": 0.0}
HARMLESS_DUPLICATE = 0.05
DEFAULT_RADIUS_M = 250.0

COLUMNS = ["label_id", "vehicle_id", "given_label", "place_id", "lat", "lon", "score",
           "suggested_label", "suggested_place_id", "reason", "kind", "findings",
           "unmatched_reason", "p_given", "p_suggested", "split"]


@dataclass(frozen=True)
class LabelIssue:
    """One queue entry. ``kind``: 'label' (a label on a place), 'unmatched' (a label that
    matched no place; place_id None) or 'implied' (an unlabelled place of a labelled vehicle
    that the model finds to be a home or work; label_id None, given_label 'other')."""
    label_id: Optional[int]
    vehicle_id: str
    given_label: str
    place_id: Optional[str]
    lat: float
    lon: float
    score: float
    suggested_label: Optional[str]
    suggested_place_id: Optional[str]
    reason: str
    kind: str
    findings: str                 # check names, comma-separated, strongest first
    unmatched_reason: Optional[str]
    p_given: Optional[float]
    p_suggested: Optional[float]
    split: Optional[str]


def _none(v):
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return v


def issue_entries(queue: pd.DataFrame) -> list[LabelIssue]:
    names = [f.name for f in fields(LabelIssue)]
    return [LabelIssue(**{n: _none(r[n]) for n in names}) for r in queue.to_dict("records")]


def place_probabilities(pred: pd.DataFrame) -> np.ndarray:
    """Out-of-sample probabilities per place: oof_p_* where the run has them; for places no
    model was trained on (an unlabelled vehicle's; a labelled vehicle's place given no label,
    e.g. beside a label that went unused) the run's p_* unless they are a rule's one-hot
    labels."""
    q = pred[OOF].to_numpy(dtype=float, copy=True) if set(OOF) <= set(pred.columns) else \
        np.full((len(pred), 3), np.nan)
    if set(PROBA) <= set(pred.columns) and "split" in pred:
        p = pred[PROBA].to_numpy(dtype=float)
        unlabelled = (pred["split"] == "unlabelled").to_numpy()
        if "given_label" in pred:
            unlabelled = unlabelled | pred["given_label"].isna().to_numpy()
        one_hot = np.isin(p, (0.0, 1.0)).all(axis=1)
        use = unlabelled & ~one_hot & np.isnan(q).any(axis=1)
        q[use] = p[use]
    return q


def strength_far(d: float, radius: float) -> float:
    """A label d metres from every place of its vehicle, beyond the matching radius."""
    if d is None or not np.isfinite(d):
        return 1.0
    return float(max(0.0, 1.0 - math.exp(-(d - radius) / radius)))


def _words(margin: float) -> str:
    return "is sure" if margin >= 0.5 else ("thinks" if margin >= 0.2 else "leans to")


def _p(c: str, p: float) -> str:
    return f"p({c}) {p:.2f}"


def class_priors(pred: pd.DataFrame) -> np.ndarray:
    """Share of each class among the labelled places (given_label), the model's base rates
    (a class no place was given counts half a place: rare, not impossible)."""
    given = pred["given_label"] if "given_label" in pred else pd.Series([], dtype=object)
    counts = np.array([(given == c).sum() for c in CLASSES], dtype=float)
    counts[counts == 0] = 0.5
    return counts / counts.sum()


def prior_adjusted(q: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """Probabilities as if every class were equally common: p_k / prior_k, renormalised.
    Most places are 'other', so a model that learnt little says 'other' everywhere; measured
    against the priors it contradicts nothing, and a work place at p(work) 0.3 (three times the
    base rate) is evidence for work, not against it."""
    r = q / priors[None, :]
    return r / r.sum(axis=1, keepdims=True)


class _Vehicle:
    """One vehicle's places with their probabilities (a few dozen rows)."""

    def __init__(self, ids, lat, lon, q: np.ndarray, adj: np.ndarray):
        self.ids, self.lat, self.lon, self.q, self.adj = ids, lat, lon, q, adj
        self.index = {p: i for i, p in enumerate(self.ids)}

    def known(self, i: Optional[int]) -> bool:
        return i is not None and not np.isnan(self.q[i]).any()

    def nearest(self, lat: float, lon: float) -> tuple[Optional[int], float]:
        if not len(self.ids):
            return None, float("inf")
        d = haversine_m(np.full(len(self.ids), lat), np.full(len(self.ids), lon),
                        self.lat, self.lon)
        i = int(np.argmin(d))
        return i, float(d[i])

    def best(self, cls: int, not_i: Optional[int] = None) -> tuple[Optional[int], float]:
        """The place (other than ``not_i``) likeliest to be class ``cls``."""
        col = self.q[:, cls].copy()
        if not_i is not None:
            col[not_i] = np.nan
        if np.isnan(col).all():
            return None, float("nan")
        i = int(np.nanargmax(col))
        return i, float(col[i])


def _pair_strength(q: Optional[np.ndarray], mine: int, theirs: int) -> float:
    """How much likelier a place (probabilities ``q``) is the other label's class than this
    label's; 0.5 when the place has no probabilities."""
    if q is None or np.isnan(q).any():
        return 0.5
    pm, pt = q[mine], q[theirs]
    return float(pt / (pm + pt)) if pm + pt > 0 else 0.5


def best_other_rows(codes: np.ndarray, q: np.ndarray) -> np.ndarray:
    """(rows, classes): the row of the same vehicle's likeliest place for each class, the row
    itself excluded; -1 where the vehicle has no other place with probabilities."""
    n, k = q.shape
    out = np.full((n, k), -1, dtype=np.int64)
    if not n:
        return out
    rows = np.arange(n)
    for c in range(k):
        vals = np.where(np.isnan(q[:, c]), -np.inf, q[:, c])
        order = np.lexsort((rows, -vals, codes))
        sc = codes[order]
        start = np.r_[True, sc[1:] != sc[:-1]]
        group = np.cumsum(start) - 1
        starts = np.flatnonzero(start)
        top1 = order[starts]
        has2 = np.r_[starts[1:], n] - starts >= 2
        top2 = np.where(has2, order[np.minimum(starts + 1, n - 1)], -1)
        g = np.empty(n, dtype=np.int64)
        g[order] = group
        best = np.where(top1[g] != rows, top1[g], top2[g])
        ok = best >= 0
        ok[ok] = np.isfinite(vals[best[ok]])
        out[:, c] = np.where(ok, best, -1)
    return out


_CHECK_WORDS = {
    "home_never_at_night": "the car never stood here between 00:00 and 05:00 local time "
                           "({n:.0f} stays)",
    "work_never_on_weekday": "the car never came here on a weekday ({n:.0f} stays, all at "
                             "weekends)",
    "far_from_stops": "no stop of the vehicle within {n:,.0f} m of the label",
    "home_work_coincide": "the vehicle's home and work labels are only {n:,.0f} m apart",
}


def _check_phrase(check: str, value) -> str:
    text = _CHECK_WORDS.get(check, check.replace("_", " "))
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return {"far_from_stops": "the vehicle has no stops to check the label against"}.get(
            check, text.split(" (")[0])
    return text.format(n=float(value))


class _VehicleIndex:
    """vehicle_id -> _Vehicle, sliced out of fleet-wide arrays on first use (no per-vehicle
    DataFrame: thousands of those cost seconds)."""

    def __init__(self, pred: pd.DataFrame, q: np.ndarray, adj: np.ndarray):
        codes, names = pd.factorize(pred["vehicle_id"])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
        self.slices = {v: order[bounds[i]:bounds[i + 1]] for i, v in enumerate(names)}
        self.ids = pred["place_id"].to_numpy(dtype=object)
        self.lat = pred["lat"].to_numpy(dtype=float)
        self.lon = pred["lon"].to_numpy(dtype=float)
        self.q, self.adj = q, adj
        self.cache: dict[str, _Vehicle] = {}

    def get(self, vehicle_id) -> Optional[_Vehicle]:
        if vehicle_id not in self.cache:
            rows = self.slices.get(vehicle_id)
            if rows is None:
                return None
            self.cache[vehicle_id] = _Vehicle(self.ids[rows], self.lat[rows], self.lon[rows],
                                              self.q[rows], self.adj[rows])
        return self.cache[vehicle_id]


class _Queue:
    """The inputs, indexed once; ``entry`` judges one label."""

    def __init__(self, labels, place_labels, unmatched, pred, evidence, radius_m):
        self.radius = radius_m
        self.cls = {c: i for i, c in enumerate(CLASSES)}
        pred = pred.reset_index(drop=True)
        self.pred = pred
        self.q = place_probabilities(pred)
        self.adj = prior_adjusted(self.q, class_priors(pred))
        self.vehicles = _VehicleIndex(pred, self.q, self.adj)
        self.ids = pred["place_id"].to_numpy(dtype=object)
        self.row_of = {p: i for i, p in enumerate(self.ids.tolist())}
        self.known = ~np.isnan(self.q).any(axis=1)
        self.best_other = best_other_rows(pd.factorize(pred["vehicle_id"])[0], self.q)
        self.split = (dict(zip(pred["place_id"].tolist(), pred["split"].tolist()))
                      if "split" in pred else {})
        self.place_of = {int(k): p for k, p in zip(place_labels["label_id"],
                                                   place_labels["place_id"])}
        self.label_on = {p: k for k, p in self.place_of.items()}
        self.why = {int(k): r for k, r in zip(unmatched["label_id"], unmatched["reason"])}
        self.labels = labels.sort_values("label_id", kind="stable")
        self.class_of = dict(zip(self.labels["label_id"].astype(int).tolist(),
                                 self.labels["label"].tolist()))
        # a rounded label reaches the radius plus its rounding (pipeline.labels.rounding_m)
        self.rounding = dict(zip(self.labels["label_id"].astype(int).tolist(),
                                 rounding_m(self.labels).tolist()))
        self.checks: dict[int, list] = {}
        if evidence is not None and len(evidence):
            value = evidence["value"] if "value" in evidence else pd.Series(np.nan,
                                                                             evidence.index)
            sentence = evidence["sentence"] if "sentence" in evidence else pd.Series(
                "", evidence.index)
            for lid, check, val, text in zip(evidence["label_id"], evidence["check"], value,
                                             sentence):
                self.checks.setdefault(int(lid), []).append((check, val, text))
        # labels with no place of their vehicle near that lie at another vehicle's place
        far = self.labels[np.array([self.why.get(int(k), "").startswith("no_place_within")
                                    for k in self.labels["label_id"]], dtype=bool)]
        self.elsewhere = {int(r.label_id): (r.place_id, r.place_vehicle, r.distance_m)
                          for r in at_other_vehicles(far, pred).itertuples()}
        # the first label of each kind per vehicle (a duplicate is judged against it)
        self.first_of_kind: dict[tuple, int] = {}
        for lid, v, c in zip(self.labels["label_id"].astype(int).tolist(),
                             self.labels["vehicle_id"].tolist(), self.labels["label"].tolist()):
            if self.why.get(lid) != "duplicate_label":
                self.first_of_kind.setdefault((v, c), lid)
        # labels that lost a place to another label of their vehicle: place -> [label ids]
        self.losers: dict[str, list] = {}
        coords = self.labels.set_index(self.labels["label_id"].astype(int))[["vehicle_id", "lat",
                                                                              "lon"]]
        for lid, reason in self.why.items():
            if reason == "same_place_as_other_label" and lid in coords.index:
                v, lat, lon = coords.loc[lid]
                veh = self.vehicles.get(v)
                i = veh.nearest(float(lat), float(lon))[0] if veh is not None else None
                if i is not None:
                    self.losers.setdefault(veh.ids[i], []).append(lid)

    def entry(self, lid: int, v: str, c: str, lat: float, lon: float) -> Optional[dict]:
        ci = self.cls[c]
        found: list[tuple[float, str, str]] = []      # (strength, check, phrase)
        out = {"suggested_label": None, "suggested_place_id": None, "p_given": None,
               "p_suggested": None}
        place = self.place_of.get(lid)
        reason = self.why.get(lid)
        i = self.row_of.get(place) if place is not None else None
        if i is not None and self.known[i]:
            self._model(found, out, i, c, ci, lid, lat, lon)
        if place is not None:
            for other in self.losers.get(place, []):
                oc = self.class_of[other]
                s = _pair_strength(None if i is None else self.q[i], ci, self.cls[oc])
                found.append((s, "two_labels_one_place",
                              f"the vehicle's {oc} label ({other}) points at this place too"
                              + (f"; the place looks more like {oc}" if s > 0.5 else "")))
                if s > 0.5 and out["suggested_label"] is None:
                    out["suggested_label"] = oc
        if reason is not None:
            self._unmatched(found, out, reason, lid, v, c, ci, lat, lon, self.vehicles.get(v))
        for check, value, sentence in self.checks.get(lid, []):
            if check in SAID_IN_FULL:  # the evidence's own sentence: dates and places
                found.append((SAID_IN_FULL[check], check,
                              sentence[:1].lower() + sentence[1:].rstrip(".")))
            elif check == "far_from_stops":
                if reason is not None and reason.startswith("no_place_within"):
                    continue   # the same fact, already weighed by its distance
                found.append((strength_far(_none(value) if _none(value) is not None
                                           else float("inf"), self.radius), check,
                              _check_phrase(check, _none(value))))
            else:
                found.append((CHECK_STRENGTH, check, _check_phrase(check, _none(value))))
        if not found:
            return None
        # strongest first, the model's word on the place itself before its vehicle-wide view
        top = max(f[0] for f in found)
        found.sort(key=lambda f: (-(top if f[1] == "model" and f[0] >= top - 0.2 else f[0])))
        text = "; ".join(f[2] for f in found)
        return {"label_id": lid, "vehicle_id": v, "given_label": c, "place_id": place,
                "lat": lat, "lon": lon,
                "score": 1.0 - float(np.prod([1.0 - f[0] for f in found])),
                "reason": text[:1].upper() + text[1:],
                "kind": "unmatched" if reason is not None else "label",
                "findings": ",".join(dict.fromkeys(f[1] for f in found)),
                "unmatched_reason": reason, "split": self.split.get(place), **out}

    def _model(self, found, out, i: int, c: str, ci: int, lid: int, lat: float,
               lon: float) -> None:
        q, a = self.q[i], self.adj[i]
        out["p_given"] = float(q[ci])
        o = max((j for j in range(len(CLASSES)) if j != ci), key=lambda j: a[j])
        margin = float(a[o] - a[ci])
        j = self.best_other[i, ci]
        pj = self.q[j, ci] if j >= 0 else -np.inf
        reach = self.radius + self.rounding.get(lid, 0.0)
        d = float(haversine_m(lat, lon, self.pred["lat"].iat[j], self.pred["lon"].iat[j])) \
            if pj > q[ci] + 1e-9 else float("inf")
        if d <= reach and CLASSES[o] == "other":
            # the place the model prefers for the label's class lies within the label's reach
            # too: the label names a site (a works with several car parks) and went to the
            # nearest of its places, one the car seldom uses. Said, not counted.
            found.append((0.0, "model_site",
                          f"the model puts this vehicle's {c} at place {self.ids[j]} "
                          f"({_p(c, pj)} there, {q[ci]:.2f} here), which lies {d:,.0f} m from "
                          f"the label, within its {reach:,.0f} m too: one {c} site with "
                          "several parking places, the label on one the car seldom uses?"))
            out["suggested_place_id"] = self.ids[j]
            return
        if margin > 1e-9:   # (equal up to rounding is no contradiction)
            found.append((margin, "model",
                          f"the model {_words(margin)} this is {CLASSES[o]}, not {c} "
                          f"({_p(CLASSES[o], q[o])}, {_p(c, q[ci])})"))
            out["suggested_label"], out["p_suggested"] = CLASSES[o], float(q[o])
        if pj > q[ci] + 1e-9:
            found.append((float(pj - q[ci]), "model_elsewhere",
                          f"the model puts this vehicle's {c} at place {self.ids[j]} instead "
                          f"({_p(c, pj)} there, {q[ci]:.2f} here)"))
            out["suggested_place_id"] = self.ids[j]
            if out["suggested_label"] is None:
                out["suggested_label"], out["p_suggested"] = CLASSES[o], float(q[o])

    def _unmatched(self, found, out, reason, lid, v, c, ci, lat, lon, veh) -> None:
        i, d = veh.nearest(lat, lon) if veh is not None else (None, float("inf"))
        near = f"place {veh.ids[i]}, {d:,.0f} m away" if i is not None else "none"
        if reason == "same_place_as_other_label" and i is not None:
            holder = self.label_on.get(veh.ids[i])
            oc = self.class_of.get(holder, "other")
            s = _pair_strength(veh.q[i], ci, self.cls[oc])
            text = (f"points at place {veh.ids[i]}, which the vehicle's {oc} label ({holder}) "
                    "already holds" + (f"; the place looks more like {oc}" if s > 0.5 else
                                       f"; the place looks more like {c}: that {oc} label may "
                                       "be the wrong one"))
            j, pj = veh.best(ci, not_i=i)
            if s > 0.5 and j is not None and np.isfinite(pj):
                # a work label on the home is a copied address when another place looks like
                # the work; with none that does, the vehicle may be worked from home
                s *= min(1.0, max(pj, NOWHERE_ELSE) / 0.5)
                text += (f"; place {veh.ids[j]} looks like its {c} ({_p(c, pj)})" if pj >= 0.5
                         else f"; no other place of the vehicle looks like its {c} (at most "
                              f"{_p(c, pj)}): " + ("it may be worked from home" if c == "work"
                                                   else f"is the {oc} label its {c}?"))
            found.append((s, reason, text))
        elif reason == "duplicate_label":
            first = self.first_of_kind.get((v, c))
            fplace = self.place_of.get(first) if first is not None else None
            fi = veh.index.get(fplace) if (veh is not None and fplace is not None) else None
            if fi is not None and fi == i:
                s = HARMLESS_DUPLICATE
                text = f"a second {c} label for place {fplace}, which label {first} names"
            elif fi is not None and veh.known(fi) and veh.known(i) and d <= self.radius:
                s = float(veh.q[fi][ci] / (veh.q[fi][ci] + veh.q[i][ci])) \
                    if veh.q[fi][ci] + veh.q[i][ci] > 0 else 0.5
                text = (f"a second {c} label: label {first} puts it at place {fplace} "
                        f"({_p(c, veh.q[fi][ci])}), this one at {veh.ids[i]} "
                        f"({_p(c, veh.q[i][ci])})")
            else:
                s = max(0.5, strength_far(d, self.radius))
                text = (f"a second {c} label for the vehicle (label {first} is the first); "
                        f"nearest place: {near}")
            found.append((s, reason, text))
        elif reason.startswith("no_place_within"):
            j, swapped = veh.nearest(lon, lat) if veh is not None and abs(lon) <= 90 else \
                (None, float("inf"))
            reach = self.radius + self.rounding.get(lid, 0.0)
            flip = _flipped(veh, lat, lon, reach) if j is None or swapped > reach else None
            found.append((strength_far(d, reach), reason,
                          f"no place of the vehicle within {reach:,.0f} m of the label "
                          + (f"(the {self.radius:,.0f} m radius and its rounded coordinates' "
                             f"{reach - self.radius:,.0f} m) " if reach > self.radius else "")
                          + f"(nearest: {near})"
                          + (f"; with lat and lon swapped it lies {swapped:,.0f} m from place "
                             f"{veh.ids[j]}: are the labels' (or this vehicle's pings') lat "
                             "and lon swapped?" if j is not None and swapped <= reach
                             else "")
                          + (f"; with its {flip[0]}'s sign flipped it lies {flip[2]:,.0f} m "
                             f"from place {veh.ids[flip[1]]}: has the {flip[0]} of the labels "
                             "(or of this vehicle's pings) lost its minus sign or hemisphere "
                             "letter?" if flip is not None else "")
                          + (f"; it lies {self.elsewhere[lid][2]:,.0f} m from place "
                             f"{self.elsewhere[lid][0]} of vehicle {self.elsewhere[lid][1]}: "
                             "is it that vehicle's label, under the wrong id?"
                             if lid in self.elsewhere else "")))
        else:   # vehicle_has_no_pings / vehicle_has_no_places
            found.append((UNCHECKABLE, reason, "the vehicle has no "
                          + ("pings" if reason.endswith("pings") else "parking places")
                          + ": nothing to check this label against"))
        if veh is not None:
            j, pj = veh.best(ci)
            if j is not None and pj >= 0.5 and veh.ids[j] not in self.label_on:
                out["suggested_place_id"] = veh.ids[j]


def _flipped(veh: Optional[_Vehicle], lat: float, lon: float, reach: float
             ) -> Optional[tuple[str, int, float]]:
    """("longitude" | "latitude", place row, metres) when the label would lie within ``reach``
    of a place of its vehicle with that coordinate's sign flipped: a west longitude (south
    latitude) written without its minus, or its hemisphere letter dropped — in the labels or in
    the vehicle's pings. None otherwise."""
    if veh is None:
        return None
    for which, flat, flon in (("longitude", lat, -lon), ("latitude", -lat, lon)):
        i, d = veh.nearest(flat, flon)
        if i is not None and d <= reach:
            return which, i, d
    return None


def _implied(pred: pd.DataFrame, q: np.ndarray) -> pd.DataFrame:
    """Unlabelled places of labelled vehicles ('other' implied) the model finds home/work."""
    if "given_label" not in pred:
        return pd.DataFrame(columns=COLUMNS)
    mask = (pred["given_label"] == "other").to_numpy() & ~np.isnan(q).any(axis=1)
    rows = pred[mask]
    qq = q[mask]
    if not len(rows):
        return pd.DataFrame(columns=COLUMNS)
    o = np.where(qq[:, 0] >= qq[:, 1], 0, 1)
    p_o = qq[np.arange(len(qq)), o]
    margin = p_o - qq[:, 2]
    keep = margin > 0
    rows, o, p_o, margin, p_other = rows[keep], o[keep], p_o[keep], margin[keep], qq[keep, 2]
    out = pd.DataFrame({
        "label_id": None, "vehicle_id": rows["vehicle_id"].to_numpy(), "given_label": "other",
        "place_id": rows["place_id"].to_numpy(), "lat": rows["lat"].to_numpy(dtype=float),
        "lon": rows["lon"].to_numpy(dtype=float), "score": margin,
        "suggested_label": [CLASSES[k] for k in o], "suggested_place_id": None,
        "reason": [f"An unlabelled place of a labelled vehicle: the model {_words(m)} it is "
                   f"{CLASSES[k]} ({_p(CLASSES[k], p)}, p(other) {po:.2f}); the vehicle's "
                   f"{CLASSES[k]} label may be on another place or missing"
                   for m, k, p, po in zip(margin, o, p_o, p_other)],
        "kind": "implied", "findings": "model", "unmatched_reason": None,
        "p_given": p_other, "p_suggested": p_o,
        "split": rows["split"].to_numpy() if "split" in rows else None})
    return out.sort_values(["score", "place_id"], ascending=[False, True], kind="mergesort")


def issue_queue(labels: pd.DataFrame, place_labels: pd.DataFrame, unmatched: pd.DataFrame,
                pred: pd.DataFrame, evidence: Optional[pd.DataFrame] = None,
                radius_m: float = DEFAULT_RADIUS_M) -> pd.DataFrame:
    """The ranked queue (COLUMNS). ``labels``: label_id, vehicle_id, label, lat, lon (every
    label of the project); ``place_labels``: label_id, place_id; ``unmatched``: label_id,
    reason; ``pred``: the run's predictions with place lat/lon, split, given_label, p_* and
    oof_p_*; ``evidence``: auditor.analysis.evidence.label_evidence's findings."""
    queue = _Queue(labels, place_labels, unmatched, pred, evidence, radius_m)
    lab = queue.labels
    rows = [queue.entry(int(lid), v, c, float(lat), float(lon))   # one step per label
            for lid, v, c, lat, lon in zip(lab["label_id"].tolist(), lab["vehicle_id"].tolist(),
                                           lab["label"].tolist(), lab["lat"].tolist(),
                                           lab["lon"].tolist())]
    found = pd.DataFrame([r for r in rows if r is not None], columns=COLUMNS)
    found = found.sort_values(["score", "label_id"], ascending=[False, True], kind="mergesort")
    implied = _implied(queue.pred, queue.q)
    parts = [f for f in (found, implied) if len(f)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def _table(conn: sqlite3.Connection, sql: str, columns: list[str]) -> pd.DataFrame:
    from auditor.store.queries import table_exists
    name = sql.split(" FROM ")[1].split()[0]
    if not table_exists(conn, name):
        return pd.DataFrame({c: [] for c in columns})
    return pd.read_sql_query(sql, conn)


def label_issues(conn: sqlite3.Connection, run_id: Optional[int] = None,
                 pred: Optional[pd.DataFrame] = None,
                 evidence: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """The project's label-issue queue for a model run (default: the latest). ``pred`` and
    ``evidence`` may be passed when the caller has them already (the report does)."""
    import json

    from auditor.analysis import frames
    from auditor.store.queries import read_labels, read_run
    run_id = frames.resolve_run(conn, run_id)
    if pred is None:
        pred = frames.predictions(conn, run_id)
    labels = read_labels(conn)
    place_labels = _table(conn, "SELECT label_id, place_id FROM place_labels",
                          ["label_id", "place_id"])
    unmatched = _table(conn, "SELECT label_id, reason FROM unmatched_labels",
                       ["label_id", "reason"])
    if evidence is None:
        from auditor.analysis.evidence import label_evidence
        from auditor.analysis.stoptimes import local_stops
        evidence = label_evidence(labels, place_labels,
                                  local_stops(conn, frames.vehicle_metadata(conn)))
    config = read_run(conn, run_id).get("config") or {}
    if isinstance(config, str):
        config = json.loads(config)
    radius = float(config.get("label_radius_m", DEFAULT_RADIUS_M))
    return issue_queue(labels, place_labels, unmatched, pred, evidence, radius)


def render_issues(entries: list[dict], ranking: str = RANKING, limit: int = 10) -> list[str]:
    """The queue's headline for the text report: counts by kind, then the first ``limit``.
    Entries the evidence explains without doubting (score 0: a site's other car park, the home
    a vehicle moved to) are listed, not counted as suspicious."""
    doubted = [e for e in entries if (e.get("score") or 0) > 0]
    kinds = {k: sum(e.get("kind") == k for e in doubted) for k in ("label", "unmatched",
                                                                     "implied")}
    explained = len(entries) - len(doubted)
    lines = [f"Suspicious labels: {len(doubted)} (ranked by {ranking.replace('_', ' ')}: "
             f"{kinds['label']} labels on places, {kinds['unmatched']} labels on no place, "
             f"{kinds['implied']} unlabelled places that look like a home or work)"
             + (f"; {explained} more explained, not doubted" if explained else "")]
    for e in entries[:limit]:
        where = e.get("place_id") or f"no place ({e.get('unmatched_reason')})"
        who = (f"label {e['label_id']}" if e.get("label_id") is not None else "place")
        lines.append(f"  {e['vehicle_id']} {e['given_label']} {who} at {where}  "
                     f"score {e['score']:.2f}  {e['reason']}")
    return lines
