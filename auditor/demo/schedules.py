"""A vehicle's itinerary: which trips it makes, day by day, in its city's local time.

Commuters leave with daily jitter, night-shift workers are at work across 02:00, part-timers
work some weekdays, people without work run errands; everyone has weekend outings, the odd
sick day and, now and then, a long trip (sometimes overnight). Times are planned on the local
wall clock and converted to UTC with the city's zone (the mid-March DST change included)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.demo.cities import local_to_utc
from auditor.demo.population import HOME, Vehicle
from auditor.demo.routes import RouteBook

H = 3600
MIN_STAY_S = 4 * 60     # a car is parked at least this long between trips
SICK_DAY_P = 0.05


@dataclass
class WorkPattern:
    start_h: float          # usual arrival at work, local hours
    hours: float            # usual shift length
    weekdays: frozenset     # 0=Mon .. 6=Sun; for night shifts: the evening the shift starts


def work_pattern(rng: np.random.Generator, schedule: str) -> WorkPattern | None:
    if schedule == "day":
        return WorkPattern(rng.uniform(6.5, 9.25), rng.uniform(8.0, 9.5), frozenset(range(5)))
    if schedule == "night":
        start_evening = 6 if rng.random() < 0.5 else 0   # Sun-Thu or Mon-Fri nights
        days = frozenset((start_evening + k) % 7 for k in range(5))
        return WorkPattern(rng.uniform(21.5, 23.0), rng.uniform(7.5, 8.5), days)
    if schedule == "part":
        n = int(rng.integers(2, 5))
        return WorkPattern(rng.uniform(8.0, 13.0), rng.uniform(4.0, 6.0),
                           frozenset(int(d) for d in rng.permutation(5)[:n]))
    return None


@dataclass
class Itinerary:
    """Trips in time order: trip k drives origin[k] -> dest[k], leaving at depart[k] (UTC
    seconds) and arriving duration[k] seconds later. The car is parked at dest[k] until
    depart[k+1]."""
    origin: np.ndarray
    dest: np.ndarray
    depart: np.ndarray
    duration: np.ndarray

    @property
    def arrive(self) -> np.ndarray:
        return self.depart + self.duration


class _Planner:
    """Plans trips on the local clock; the car is at `at` and free to leave from `free`."""

    def __init__(self, rng: np.random.Generator, book: RouteBook):
        self.rng = rng
        self.book = book
        self.at = HOME
        self.free = -np.inf
        self.trips: list[tuple[int, int, float, float]] = []

    def drive(self, dest: int, planned: float, stay_s: float = 0.0) -> float:
        """Leave for dest at `planned` (or as soon as the current stay allows); returns the
        arrival time. `stay_s` is the least time spent there."""
        if dest == self.at:
            self.free = max(self.free, planned + stay_s)
            return planned
        depart = max(planned, self.free + MIN_STAY_S)
        traffic = float(np.clip(self.rng.lognormal(0.0, 0.12), 0.85, 1.5))
        duration = self.book.duration(self.at, dest) * traffic
        self.trips.append((self.at, dest, depart, duration))
        self.at = dest
        self.free = depart + duration + stay_s
        return depart + duration

    def errand(self, planned: float, places) -> None:
        """Out to an errand place (favourites more often), back home."""
        p = int(self.rng.choice(places.errands, p=places.errand_weights))
        self.drive(p, planned, self.rng.uniform(10, 60) * 60)
        self.drive(HOME, self.free)

    def outing(self, planned: float, places) -> None:
        p = int(self.rng.choice(places.leisure))
        self.drive(p, planned, self.rng.uniform(1.0, 4.0) * H)
        self.drive(HOME, self.free)


def plan_itinerary(rng: np.random.Generator, vehicle: Vehicle, book: RouteBook, days: int,
                   start_local_s: int) -> Itinerary:
    places = vehicle.places
    pattern = work_pattern(rng, vehicle.schedule)
    work = places.work
    plan = _Planner(rng, book)
    away_until = -np.inf  # an overnight long trip covers the next day's morning
    for day in range(days):
        d0 = start_local_s + day * 86400
        weekday = day % 7      # the start date is a Monday
        r = rng.random(8)      # a fixed number of draws per day keeps days independent
        if d0 < away_until:   # Sunday of an overnight trip: drive back, rest
            plan.drive(HOME, away_until, 0.0)
            away_until = -np.inf
            continue
        works_today = (pattern is not None and weekday in pattern.weekdays
                       and r[0] >= SICK_DAY_P)
        commute = book.duration(HOME, work) if work is not None else 0.0
        if vehicle.schedule == "night":
            if r[1] < 0.35:   # an afternoon errand after sleeping
                plan.errand(d0 + rng.uniform(13.0, 16.5) * H, places)
            if weekday in (5, 6) and r[2] < 0.4:
                plan.outing(d0 + rng.uniform(11.0, 15.0) * H, places)
            if works_today:
                arrive = d0 + (pattern.start_h + rng.normal(0, 0.15)) * H
                plan.drive(work, arrive - commute, 0.0)
                plan.drive(HOME, arrive + (pattern.hours + rng.normal(0, 0.2)) * H)
            continue
        if works_today:
            arrive = d0 + (pattern.start_h + rng.normal(0, 0.2)) * H
            plan.drive(work, arrive - commute, 0.0)
            leave = arrive + (pattern.hours + rng.normal(0, 0.25)) * H
            if r[1] < 0.3:     # shopping on the way home
                p = int(rng.choice(places.errands, p=places.errand_weights))
                plan.drive(p, leave, rng.uniform(10, 45) * 60)
                plan.drive(HOME, plan.free)
            else:
                plan.drive(HOME, leave)
            if r[2] < 0.15:
                plan.errand(d0 + rng.uniform(19.0, 20.5) * H, places)
        elif weekday < 5:
            # a weekday without work: retirees, home-makers, days off
            if r[1] < 0.75:
                plan.errand(d0 + rng.uniform(9.0, 11.5) * H, places)
            if r[2] < 0.35:
                plan.errand(d0 + rng.uniform(14.0, 17.5) * H, places)
        else:
            if r[3] < 0.1 and weekday == 5:
                away_until = _long_trip(plan, rng, vehicle, d0, overnight=r[4] < 0.5)
                continue
            if r[1] < 0.55:
                plan.errand(d0 + rng.uniform(9.5, 12.0) * H, places)
            if r[2] < 0.45:
                plan.outing(d0 + rng.uniform(13.0, 16.0) * H, places)
    trips = plan.trips
    origin = np.array([t[0] for t in trips], dtype=np.int64)
    dest = np.array([t[1] for t in trips], dtype=np.int64)
    local = np.array([t[2] for t in trips], dtype=float)
    duration = np.array([t[3] for t in trips], dtype=float)
    depart = local_to_utc(vehicle.city.timezone, np.round(local).astype(np.int64))
    _keep_parked_stays(depart, duration)
    return Itinerary(origin, dest, depart, duration)


def _long_trip(plan: _Planner, rng, vehicle: Vehicle, d0: float, overnight: bool) -> float:
    """50-200 km out of town on a Saturday, back the same evening or on Sunday afternoon.
    Returns when the trip back leaves (the day the car is away until)."""
    dist = rng.uniform(50_000, 200_000)
    a = rng.uniform(0, 2 * np.pi)
    far = vehicle.places.xy[HOME] + dist * np.array([np.cos(a), np.sin(a)])
    p = vehicle.places.add(far, "long trip")
    arrive = plan.drive(p, d0 + rng.uniform(8.0, 11.0) * H)
    if overnight:
        back = d0 + 86400 + rng.uniform(13.0, 16.0) * H
        plan.free = back
        return back
    plan.drive(HOME, arrive + rng.uniform(2.0, 5.0) * H)
    return -np.inf


def _keep_parked_stays(depart: np.ndarray, duration: np.ndarray) -> None:
    """A spring-forward night shortens local stays by an hour; keep every stay >= MIN_STAY_S
    in UTC too (a loop per trip, only when a clock change made it necessary)."""
    gap = depart[1:] - (depart[:-1] + duration[:-1])
    if len(gap) and gap.min() < MIN_STAY_S:
        for k in range(1, len(depart)):
            earliest = int(np.ceil(depart[k - 1] + duration[k - 1])) + MIN_STAY_S
            depart[k] = max(depart[k], earliest)
