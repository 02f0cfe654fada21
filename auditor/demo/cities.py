"""The demo's cities: where vehicles live, their time zones, and the maths between a city's
flat metre grid (where places and roads are laid out) and WGS84 / UTC.

No city sits at UTC+0, so a clock that confuses local time with UTC is visible in every city."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditor.geo import EARTH_RADIUS_M


@dataclass(frozen=True)
class City:
    name: str
    timezone: str          # IANA name, as vehicles.csv states it
    lat: float             # centre of the city's metre grid
    lon: float
    grid_deg: float        # street grid rotation (roads run along it, not along meridians)
    radius_m: float = 15_000.0


CITIES: tuple[City, ...] = (
    City("Chicago", "America/Chicago", 41.8781, -87.6298, 0.0),
    City("Denver", "America/Denver", 39.7392, -104.9903, 0.0),
    City("Seattle", "America/Los_Angeles", 47.6062, -122.3321, 8.0),
    City("Berlin", "Europe/Berlin", 52.5200, 13.4050, 17.0),
)
# more cities a varied fleet may live in (DemoOptions.cities): a southern-hemisphere DST change
# (Sydney leaves DST in April), zones without DST, a half-hour offset; still none at UTC+0
MORE_CITIES: tuple[City, ...] = (
    City("Sydney", "Australia/Sydney", -33.8688, 151.2093, 24.0),
    City("Tokyo", "Asia/Tokyo", 35.6762, 139.6503, 11.0),
    City("Sao Paulo", "America/Sao_Paulo", -23.5505, -46.6333, 35.0),
    City("Mumbai", "Asia/Kolkata", 19.0760, 72.8777, 5.0),
    City("Toronto", "America/Toronto", 43.6532, -79.3832, 16.7),
)
CATALOGUE = {c.name: c for c in CITIES + MORE_CITIES}


def to_latlon(city: City, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metres east/north of the city centre -> (lat, lon) degrees (equirectangular; exact
    enough within a few hundred km)."""
    xy = np.asarray(xy, dtype=float)
    lat = city.lat + np.degrees(xy[..., 1] / EARTH_RADIUS_M)
    lon = city.lon + np.degrees(xy[..., 0] / (EARTH_RADIUS_M * np.cos(np.radians(city.lat))))
    return lat, lon


def _as_seconds(index: pd.DatetimeIndex) -> np.ndarray:
    return index.values.astype("datetime64[s]").astype(np.int64)


def local_to_utc(timezone: str, local_s: np.ndarray) -> np.ndarray:
    """Wall-clock seconds (naive, counted like UTC) in ``timezone`` -> UTC epoch seconds.
    A time in the spring-forward gap moves forward; an ambiguous autumn time is read as
    standard time — what a person's alarm clock does."""
    local_s = np.asarray(local_s, dtype=np.int64)
    naive = pd.DatetimeIndex(local_s.astype("datetime64[s]"))
    aware = naive.tz_localize(timezone, ambiguous=np.zeros(len(naive), dtype=bool),
                              nonexistent="shift_forward")
    return _as_seconds(aware.tz_convert("UTC").tz_localize(None))


def utc_offsets(timezone: str, utc_s: np.ndarray) -> np.ndarray:
    """The zone's UTC offset in seconds at each UTC instant."""
    utc_s = np.asarray(utc_s, dtype=np.int64)
    aware = pd.DatetimeIndex(utc_s.astype("datetime64[s]")).tz_localize("UTC")
    return _as_seconds(aware.tz_convert(timezone).tz_localize(None)) - utc_s
