"""Stops of trips cut short: where a car stood when its record stops short of the spot.

Data brokers cut the first and last few hundred metres of every trip so that no drive shows a
door. The car is then last seen driving towards its parking spot and first seen driving away
from it, and the stop, at its arrival fix, stands that far from the spot: a home becomes
fragments around it, none within reach of its label. Two things still point at the spot:
- the line the car drove in on (its last two fixes) and the line it drove out on (its first
  two) meet there, when the two run along different streets;
- a broker cuts one distance, so where lines meet they measure it, and a stop whose car came
  and went along one street stands that far ahead of where it came in.

Whether a vehicle's trips were cut is decided per vehicle, and a vehicle that was not keeps
its stops as stops.py makes them. Lines also meet near the stops of a device that reports
every minute or two (its last fix falls anywhere in the last step before the spot) and at a
garage that hides the car at one place (its last fix on the ramp). A cut vehicle's lines meet
at several of its places, and never close to its fixes: the nearest fifth of its meetings
still lie more than a place's width from both. Another vehicle's meeting lines move a stop only
where a fix is missing beside it (a garage).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.geo import EARTH_RADIUS_M, haversine_m, wrap_lon
from auditor.pipeline.config import InferConfig
from auditor.pipeline.trips import MAX_MPS, MOVING_MPS

# a heading needs a driving step this long (a parked receiver's jitter is no heading)
HEADING_STEP_M = 25.0
MIN_SIN = 0.5  # lines meeting at 30 degrees or more meet at a point, not along a street
# arrival and departure fixes farther apart than this many place widths: a dense tracker's
# jitter throws the two 100-130 m apart, with headings of jitter
JITTER_SPREAD = 1.5
# a cut vehicle: lines met at this many of its stops at least, this many of them more than
# ELSEWHERE_M from the median meeting (two places or more: not one garage), and the
# NEAR_SHARE of its meetings nearest the fixes still a place's width from both (a device
# sampled every few minutes has lines meeting all along its last step)
MIN_CROSSINGS = 5
MIN_CROSSINGS_ELSEWHERE, ELSEWHERE_M = 2, 1000.0
NEAR_SHARE = 0.2
MIN_U_TURN = 0.7  # cosine of the angle between the ways in and out: back the way it came


def cut_short_stops(prev: pd.DataFrame, nxt: pd.DataFrame, spread: np.ndarray,
                    config: InferConfig
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, resolved, cut_m) per stop, the stop between trip ``prev`` and trip ``nxt``
    (rows aligned, one vehicle each; ``spread``: metres between the arrival and departure
    fixes); cut_m: its vehicle's measured cut, NaN for a vehicle whose trips were not cut.
    Unresolved stops keep what stops.py makes of them."""
    g = _geometry(prev, nxt)
    # as far as the vehicle's fixes may lie from a spot it parked at (trips.py: its two
    # driving steps, at least tunnel_move_m)
    reach = nxt["far_m"].to_numpy(float) if "far_m" in nxt else config.tunnel_move_m
    a, d, crosses, along = _meet(g, reach)
    apart = spread > JITTER_SPREAD * config.place_radius_m
    crosses &= apart
    along &= apart
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN where there was no step
        x = np.where(crosses, a * g["ux"], np.where(along, g["dx"] / 2, 0.0))
        y = np.where(crosses, a * g["uy"], np.where(along, g["dy"] / 2, 0.0))
    cut = _vehicle_cut(prev["vehicle_id"].to_numpy(), crosses, a, d,
                       g["a_lat"] + y / g["ky"], g["a_lon"] + x / g["kx"], config)
    is_cut = ~np.isnan(cut)
    # another vehicle's lines meeting count where a fix is missing on one side at least (the
    # spot farther from the fix than the car drove in its step there): a garage hid the car,
    # which drove a minute out of it unseen; a device that reports every minute or two has
    # its fixes within a step of the spot, and its stops are left to places.py
    with np.errstate(invalid="ignore"):
        missing = (a > g["step_in"]) | (d > g["step_out"])
    resolved = (is_cut & (crosses | along)) | (crosses & missing)

    # the cut vehicle's other stops: ones it came to and left along one street (back the way
    # it came), or whose fixes lie apart with no lines meeting, stand its cut ahead
    with np.errstate(invalid="ignore"):
        one_street = g["ux"] * g["wx"] + g["uy"] * g["wy"] < -MIN_U_TURN
    ahead = is_cut & (one_street | apart) & ~resolved & (g["steady_in"] | g["steady_out"])
    if ahead.any():
        with np.errstate(invalid="ignore"):
            # ahead of the arrival fix, behind the departure fix: the mean of what each says
            ix, iy = cut * g["ux"], cut * g["uy"]
            ox, oy = g["dx"] - cut * g["wx"], g["dy"] - cut * g["wy"]
            both = g["steady_in"] & g["steady_out"]
            ex = np.where(both, (ix + ox) / 2, np.where(g["steady_in"], ix, ox))
            ey = np.where(both, (iy + oy) / 2, np.where(g["steady_in"], iy, oy))
        x, y = np.where(ahead, ex, x), np.where(ahead, ey, y)
        resolved |= ahead
    return (np.where(resolved, g["a_lat"] + y / g["ky"], g["a_lat"]),
            np.where(resolved, wrap_lon(g["a_lon"] + x / g["kx"]), g["a_lon"]), resolved, cut)


def _vehicle_cut(vehicle: np.ndarray, crosses: np.ndarray, a: np.ndarray, d: np.ndarray,
                 lat: np.ndarray, lon: np.ndarray,
                 config: InferConfig) -> np.ndarray:
    """Per stop, its vehicle's cut in metres (the median of its meetings' distances ahead
    and behind), NaN where the vehicle's trips were not cut (module docstring)."""
    out = np.full(len(vehicle), np.nan)
    if not crosses.any():
        return out
    met = pd.DataFrame({"v": vehicle[crosses], "lat": lat[crosses], "lon": lon[crosses],
                        "near_m": np.minimum(a, d)[crosses],
                        "cut": (a + d)[crosses] / 2})
    centre = met.groupby("v")[["lat", "lon"]].transform("median")
    met["elsewhere"] = haversine_m(met["lat"], met["lon"], centre["lat"],
                                   centre["lon"]) > ELSEWHERE_M
    by = met.groupby("v")
    per = pd.DataFrame({"n": by.size(), "elsewhere": by["elsewhere"].sum(),
                        "near_m": by["near_m"].quantile(NEAR_SHARE), "cut": by["cut"].median()})
    per = per[(per["n"] >= MIN_CROSSINGS) & (per["elsewhere"] >= MIN_CROSSINGS_ELSEWHERE)
              & (per["near_m"] > config.place_radius_m)]
    if len(per):
        out = pd.Series(vehicle).map(per["cut"]).to_numpy(dtype=float)
    return out


def _geometry(prev: pd.DataFrame, nxt: pd.DataFrame) -> dict:
    """In metres east and north of each arrival fix: the departure fix (dx, dy), the unit
    headings in (ux, uy) and out (wx, wy), the steps' lengths and whether each is a driving
    step."""
    a_lat, a_lon = prev["end_lat"].to_numpy(float), prev["end_lon"].to_numpy(float)
    kx = np.radians(1.0) * EARTH_RADIUS_M * np.cos(np.radians(a_lat))
    ky = np.radians(1.0) * EARTH_RADIUS_M

    def xy(lat, lon):
        return (wrap_lon(np.asarray(lon, float) - a_lon) * kx,
                (np.asarray(lat, float) - a_lat) * ky)

    px, py = xy(prev["before_end_lat"], prev["before_end_lon"])
    dx, dy = xy(nxt["start_lat"], nxt["start_lon"])
    nx, ny = xy(nxt["after_start_lat"], nxt["after_start_lon"])
    ux, uy = -px, -py  # from the fix before the arrival fix to it
    wx, wy = nx - dx, ny - dy
    lu, lw = np.hypot(ux, uy), np.hypot(wx, wy)
    with np.errstate(invalid="ignore", divide="ignore"):
        ux, uy, wx, wy = ux / lu, uy / lu, wx / lw, wy / lw
    return {"a_lat": a_lat, "a_lon": a_lon, "kx": kx, "ky": ky, "dx": dx, "dy": dy,
            "ux": ux, "uy": uy, "wx": wx, "wy": wy, "step_in": lu, "step_out": lw,
            "steady_in": (lu >= HEADING_STEP_M) & _driving(prev["end_mps"]),
            "steady_out": (lw >= HEADING_STEP_M) & _driving(nxt["start_mps"])}


def _meet(g: dict, reach_m):
    """(a, d, crosses, along): the lines in and out meet a metres ahead of the arrival fix
    and d behind the departure fix, both within ``reach_m`` (crosses; a = d = 0 elsewhere);
    or they run along one street with the departure fix ahead (along: the car drove on,
    halfway between)."""
    steady = g["steady_in"] & g["steady_out"]
    ux, uy, wx, wy, dx, dy = (g[k] for k in ("ux", "uy", "wx", "wy", "dx", "dy"))
    with np.errstate(invalid="ignore", divide="ignore"):
        det = ux * wy - uy * wx
        a = (dx * wy - dy * wx) / det  # (0, 0) + a u = D - d w
        d = (ux * dy - uy * dx) / det
        crosses = steady & (np.abs(det) >= MIN_SIN) & (a >= 0) & (d >= 0) \
            & (a <= reach_m) & (d <= reach_m)
        along = steady & (np.abs(det) < MIN_SIN) & (ux * dx + uy * dy > 0) \
            & (wx * dx + wy * dy > 0) & (np.abs(ux * dy - uy * dx) < 4 * HEADING_STEP_M)
    return np.where(crosses, a, 0.0), np.where(crosses, d, 0.0), crosses, along


def _driving(mps: pd.Series) -> np.ndarray:
    v = mps.to_numpy(dtype=float)
    return (v >= MOVING_MPS) & (v <= MAX_MPS)
