"""Coordinates in another datum than WGS-84 (GPS's own), moved to WGS-84 on import (--datum).

- ``gcj02``: China's map datum ("Mars coordinates"): every map service and most fleet
  platforms in mainland China must publish positions so, 100-700 m from WGS-84 and not by one
  vector. Its forward transform is public (an obfuscation of WGS-84); the inverse here is that
  transform iterated until it reproduces the given point (under 1 cm after a few rounds).
- ``bd09``: Baidu's datum, a further rotation of GCJ-02 (another ~1 km); Baidu's published
  inverse, good to a decimetre or so.
- ``tokyo``: Japan's datum before 2002 (Bessel ellipsoid), still in some car navigation
  units and old trackers, ~450 m north-west of WGS-84 around Tokyo; the Geospatial
  Information Authority's published linear approximation (about 1-2 m within Japan).

Outside mainland China GCJ-02 and BD-09 are WGS-84 (the services leave those points as they
are), and so are they here."""
from __future__ import annotations

import numpy as np

from auditor.errors import UserError

DATUMS = ("wgs84", "gcj02", "bd09", "tokyo")
NAMES = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09", "tokyo": "Tokyo datum"}

_A, _EE = 6378245.0, 0.00669342162296594323  # Krasovsky 1940, as GCJ-02 uses
_X_PI = np.pi * 3000.0 / 180.0


def check(datum: str | None) -> str | None:
    """The datum's name as stored (lower case), None for WGS-84; UserError for another."""
    if datum is None:
        return None
    key = str(datum).strip().lower().replace("-", "").replace("_", "")
    key = {"wgs": "wgs84", "gcj": "gcj02", "mars": "gcj02", "bd": "bd09", "baidu": "bd09",
           "tokyodatum": "tokyo"}.get(key, key)
    if key not in DATUMS:
        raise UserError(f"--datum {datum}: use one of {', '.join(DATUMS)} (the datum the "
                        "file's coordinates are written in; GPS is wgs84)")
    return None if key == "wgs84" else key


def to_wgs84(lat: np.ndarray, lon: np.ndarray, datum: str | None
             ) -> tuple[np.ndarray, np.ndarray]:
    """``lat``, ``lon`` (degrees; NaN stays NaN) in ``datum`` -> WGS-84."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    if datum is None:
        return lat, lon
    if datum == "tokyo":
        return _tokyo_to_wgs84(lat, lon)
    if datum == "bd09":
        lat, lon = _bd09_to_gcj02(lat, lon)
    return _gcj02_to_wgs84(lat, lon)


def gcj02_from_wgs84(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The forward transform (what a Chinese map service publishes for a GPS fix)."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    inside = _in_china(lat, lon)
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return np.where(inside, lat + dlat, lat), np.where(inside, lon + dlon, lon)


def _gcj02_to_wgs84(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The WGS-84 point whose GCJ-02 is (lat, lon): fixed-point iteration on the forward
    transform, whose offset changes by under 1e-5 of itself per metre."""
    wlat, wlon = lat.copy(), lon.copy()
    for _ in range(6):
        glat, glon = gcj02_from_wgs84(wlat, wlon)
        wlat, wlon = wlat - (glat - lat), wlon - (glon - lon)
    return wlat, wlon


def _bd09_to_gcj02(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.sin(theta), z * np.cos(theta)


def _tokyo_to_wgs84(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    wlat = lat - 0.00010695 * lat + 0.000017464 * lon + 0.0046017
    wlon = lon - 0.000046038 * lat - 0.000083043 * lon + 0.010040
    return wlat, wlon


def _in_china(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """The box the published transform applies to (mainland China's; it takes in Hong Kong,
    Macau and Taiwan too, where services differ)."""
    with np.errstate(invalid="ignore"):
        return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)
