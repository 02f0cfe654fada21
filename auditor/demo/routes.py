"""Roads and driving: road-like routes between places and the pings a car sends along them.

A route is a polyline in the city's metre grid with one speed per leg: short legs are city
streets, longer ones arterials, long legs highways. The same pair of places always uses the same
route (people drive the same way to work). Pings are produced for all of a vehicle's trips at
once with numpy — never one Python step per ping."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CITY_MPS = (7.0, 13.9)        # 25-50 km/h
ARTERIAL_MPS = (13.9, 22.2)   # 50-80 km/h
HIGHWAY_MPS = (25.0, 33.3)    # 90-120 km/h
PING_INTERVAL_S = (8.0, 12.0)  # ~10 s with jitter
MIN_LEG_M = 25.0


@dataclass(frozen=True)
class Route:
    points: np.ndarray   # (legs + 1, 2) metres
    speeds: np.ndarray   # (legs,) m/s

    @property
    def lengths(self) -> np.ndarray:
        return np.hypot(*np.diff(self.points, axis=0).T)

    @property
    def duration_s(self) -> float:
        return float(np.sum(self.lengths / self.speeds))

    def reversed(self) -> "Route":
        return Route(self.points[::-1].copy(), self.speeds[::-1].copy())


def _rotation(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def _leg_speeds(rng: np.random.Generator, lengths: np.ndarray) -> np.ndarray:
    lo = np.where(lengths < 1500, CITY_MPS[0], np.where(lengths < 8000, ARTERIAL_MPS[0],
                                                         HIGHWAY_MPS[0]))
    hi = np.where(lengths < 1500, CITY_MPS[1], np.where(lengths < 8000, ARTERIAL_MPS[1],
                                                         HIGHWAY_MPS[1]))
    speeds = rng.uniform(lo, hi)
    # leaving and reaching a parking place happens on a residential street
    speeds[[0, -1]] = np.minimum(speeds[[0, -1]], rng.uniform(*CITY_MPS, 2))
    return speeds


def _drop_short_legs(points: np.ndarray) -> np.ndarray:
    keep = [0]
    for i in range(1, len(points) - 1):
        if np.hypot(*(points[i] - points[keep[-1]])) >= MIN_LEG_M:
            keep.append(i)
    if len(keep) > 1 and np.hypot(*(points[-1] - points[keep[-1]])) < MIN_LEG_M:
        keep.pop()
    keep.append(len(points) - 1)
    return points[keep]


def plan_route(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, grid_deg: float) -> Route:
    """A road-like path from a to b: a staircase along the street grid in town; for long trips
    town streets to a highway, a few gentle bends, and town streets again."""
    d = b - a
    dist = float(np.hypot(*d))
    rot = _rotation(grid_deg)
    if dist > 30_000:
        u = d / dist
        n = np.array([-u[1], u[0]])
        ramp_a = a + u * rng.uniform(1500, 3000) + n * rng.normal(0, 500)
        ramp_b = b - u * rng.uniform(1500, 3000) + n * rng.normal(0, 500)
        fr = np.sort(rng.uniform(0.2, 0.8, int(rng.integers(1, 3))))
        bends = ramp_a + fr[:, None] * (ramp_b - ramp_a) + rng.normal(0, 0.03 * dist,
                                                                     (len(fr), 1)) * n
        # L-shaped town legs onto and off the highway, along the street grid
        ga, gr = rot.T @ a, rot.T @ ramp_a
        gb, gq = rot.T @ b, rot.T @ ramp_b
        corner_a = rot @ np.array([gr[0], ga[1]])
        corner_b = rot @ np.array([gb[0], gq[1]])
        pts = np.vstack([a, corner_a, ramp_a, bends, ramp_b, corner_b, b])
    else:
        g = rot.T @ d
        k = 1 if dist < 1500 else int(rng.integers(1, 4))
        du = rng.dirichlet(np.ones(k)) * g[0]
        dv = rng.dirichlet(np.ones(k)) * g[1]
        moves = np.zeros((2 * k, 2))
        first, second = (0, 1) if rng.random() < 0.5 else (1, 0)
        moves[0::2, first] = (du, dv)[first]
        moves[1::2, second] = (du, dv)[second]
        pts = np.vstack([np.zeros(2), np.cumsum(moves, axis=0)]) @ rot.T + a
        pts[1:-1] += rng.normal(0, 30, (len(pts) - 2, 2))  # roads are not perfectly straight
        pts[-1] = b
    pts = _drop_short_legs(pts)
    lengths = np.hypot(*np.diff(pts, axis=0).T)
    return Route(pts, _leg_speeds(rng, lengths))


class RouteBook:
    """One vehicle's routes, planned once per pair of places and reused both ways."""

    def __init__(self, rng: np.random.Generator, places_xy_getter, grid_deg: float):
        self._rng = rng
        self._xy = places_xy_getter
        self._grid = grid_deg
        self._routes: dict[tuple[int, int], Route] = {}
        self._durations: dict[tuple[int, int], float] = {}

    def route(self, i: int, j: int) -> Route:
        key = (i, j)
        if key not in self._routes:
            if (j, i) in self._routes:
                self._routes[key] = self._routes[(j, i)].reversed()
            else:
                xy = self._xy()
                self._routes[key] = plan_route(self._rng, xy[i], xy[j], self._grid)
        return self._routes[key]

    def duration(self, i: int, j: int) -> float:
        """Free-flow driving time (the planner asks for it again and again)."""
        key = (i, j)
        if key not in self._durations:
            self._durations[key] = self.route(i, j).duration_s
        return self._durations[key]


def drive_pings(rng: np.random.Generator, book: RouteBook, origin: np.ndarray,
                dest: np.ndarray, depart: np.ndarray, duration: np.ndarray,
                interval_s: tuple[float, float] = PING_INTERVAL_S) -> dict:
    """Pings for every trip of one vehicle: trip k leaves ``origin[k]`` at ``depart[k]`` (UTC
    seconds, int) and takes ``duration[k]`` seconds. Returns true positions (metres, no GPS
    noise yet), integer UTC times, speed, heading and the trip index of each ping. A ping comes
    at departure, every ``interval_s`` (~10 s) while moving, and on arrival; none while parked."""
    routes = [book.route(int(o), int(d)) for o, d in zip(origin, dest)]
    n_trips = len(routes)
    if n_trips == 0:  # a short window in which the car never moved
        return {"t": np.zeros(0, dtype=np.int64), "xy": np.zeros((0, 2)), "speed": np.zeros(0),
                "heading": np.zeros(0), "trip": np.zeros(0, dtype=np.int64)}
    n_legs = np.array([len(r.speeds) for r in routes])
    leg_trip = np.repeat(np.arange(n_trips), n_legs)
    p0 = np.concatenate([r.points[:-1] for r in routes])
    p1 = np.concatenate([r.points[1:] for r in routes])
    length = np.hypot(*(p1 - p0).T)
    free_flow = np.concatenate([r.speeds for r in routes])
    # this trip's traffic stretches every leg alike, so the trip takes exactly `duration`
    free_dur = length / free_flow
    trip_free = np.bincount(leg_trip, weights=free_dur, minlength=n_trips)
    leg_dur = free_dur * (duration / trip_free)[leg_trip]
    ends = np.cumsum(leg_dur)
    first_leg = np.r_[0, np.cumsum(n_legs)[:-1]]
    leg_start_in_trip = ends - leg_dur - np.repeat(ends[first_leg] - leg_dur[first_leg], n_legs)
    leg_t0 = depart[leg_trip] + leg_start_in_trip

    # ping offsets within each trip: cumulative jittered intervals, then the arrival ping
    n_draw = (duration / interval_s[0]).astype(np.int64) + 2
    draw_trip = np.repeat(np.arange(n_trips), n_draw)
    steps = rng.uniform(*interval_s, int(n_draw.sum()))
    steps[np.r_[0, np.cumsum(n_draw)[:-1]]] = 0.0
    offs = np.cumsum(steps)
    offs -= np.repeat(offs[np.r_[0, np.cumsum(n_draw)[:-1]]], n_draw)
    moving = offs < duration[draw_trip] - 3.0
    trip = np.concatenate([draw_trip[moving], np.arange(n_trips)])
    rel = np.concatenate([offs[moving], duration])
    order = np.lexsort((rel, trip))
    trip, rel = trip[order], rel[order]
    t = np.round(depart[trip] + rel).astype(np.int64)

    leg = np.searchsorted(leg_t0, t, side="right") - 1
    frac = np.clip((t - leg_t0[leg]) / leg_dur[leg], 0.0, 1.0)
    xy = p0[leg] + frac[:, None] * (p1[leg] - p0[leg])
    speed = (length / leg_dur)[leg] * (1 + rng.normal(0, 0.04, len(t)))
    ends_of_trip = np.r_[True, trip[1:] != trip[:-1]] | np.r_[trip[1:] != trip[:-1], True]
    speed[ends_of_trip] = rng.uniform(0, 2.5, int(ends_of_trip.sum()))  # pulling out / in
    dx, dy = (p1 - p0).T
    heading = (np.degrees(np.arctan2(dx, dy))[leg] + rng.normal(0, 2, len(t))) % 360.0
    return {"t": t, "xy": xy, "speed": speed, "heading": heading, "trip": trip}
