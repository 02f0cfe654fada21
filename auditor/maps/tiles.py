"""Local tiles: streets under the map with no network at all (analysts of location data often
may not send it to a tile server). Qt-free.

Two sources, chosen as the basemap ``mbtiles:FILE`` or ``xyz:FOLDER`` (auditor.maps.basemap):

- an **MBTiles** file (SQLite; table ``tiles(zoom_level, tile_column, tile_row, tile_data)``,
  table ``metadata(name, value)``). Rows are TMS: counted from the south, so the y of the
  usual XYZ scheme (counted from the north) is flipped: ``tile_row = 2**z - 1 - y``. The file is
  opened read-only (mode=ro, or immutable=1 on read-only media) and never changed.
- an **XYZ folder**: ``FOLDER/{z}/{x}/{y}.png`` (or .jpg/.jpeg/.webp).

``open_tile_source(basemap)`` returns a TileSource whose ``tile(z, x, y)`` gives the tile's
bytes (or None). The GUI serves them to its web views under the ``auditor-tiles://{key}/z/x/y``
URL scheme, one key per basemap (``parse_tile_path`` reads such a path, ``mime_type`` names
the bytes);
``auditor map --basemap mbtiles:FILE`` carries the tiles around the vehicle inside the HTML
as data: URIs (``embed_tiles``), so the exported page needs no network either."""
from __future__ import annotations

import base64
import math
import os
import re
import sqlite3
import threading
from pathlib import Path
from typing import Optional

from auditor.errors import UserError
from auditor.failures import shown
from auditor.maps import basemap as bm
from auditor.store.connection import sqlite_uri

MAX_ZOOM = 24
IMAGE_SUFFIXES = ("png", "jpg", "jpeg", "webp")
EMBED_MAX_TILES = 1500
EMBED_MAX_BYTES = 16 * 1024 * 1024
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
          (b"GIF8", "image/gif"))


def valid_tile(z: int, x: int, y: int) -> bool:
    return (isinstance(z, int) and isinstance(x, int) and isinstance(y, int)
            and 0 <= z <= MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z))


def mime_type(data: bytes) -> str:
    """The image type of tile bytes, from their first bytes."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def parse_tile_path(path: str) -> Optional[tuple[int, int, int]]:
    """(z, x, y) of a request path "/z/x/y" (an optional image suffix allowed), else None."""
    m = re.fullmatch(r"/?(\d{1,2})/(\d{1,8})/(\d{1,8})(?:\.(?:png|jpe?g|webp))?", path or "")
    if not m:
        return None
    z, x, y = (int(g) for g in m.groups())
    return (z, x, y) if valid_tile(z, x, y) else None


class TileSource:
    """Tiles by (z, x, y) in the XYZ scheme (y from the north)."""
    path: Path
    min_zoom: int = 0
    max_zoom: int = 0
    attribution: str = ""

    def tile(self, z: int, x: int, y: int) -> Optional[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class MBTilesSource(TileSource):
    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise UserError(f"{shown(self.path)}: no such MBTiles file — check the path")
        self._lock = threading.Lock()
        try:
            self._conn = self._connect()
            meta = dict(self._conn.execute("SELECT name, value FROM metadata").fetchall())
            lo, hi = self._conn.execute(
                "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{shown(self.path)}: not an MBTiles file ({exc}) — give a raster "
                            ".mbtiles file (tables 'tiles' and 'metadata')") from None
        fmt = str(meta.get("format") or "png").lower()
        if fmt not in IMAGE_SUFFIXES:
            self.close()
            raise UserError(f"{shown(self.path)}: holds {fmt} tiles; only raster tiles (png, "
                            "jpg, webp) can be drawn — use a raster MBTiles file")
        if lo is None:
            self.close()
            raise UserError(f"{shown(self.path)}: the MBTiles file holds no tiles")
        self.min_zoom, self.max_zoom = int(lo), int(hi)
        self.attribution = str(meta.get("attribution") or meta.get("name") or self.path.name)

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(sqlite_uri(self.path, mode="ro"), uri=True,
                                   check_same_thread=False)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            return conn
        except sqlite3.OperationalError:  # read-only media: no -shm can be made there
            return sqlite3.connect(sqlite_uri(self.path, immutable="1"), uri=True,
                                   check_same_thread=False)

    def tile(self, z: int, x: int, y: int) -> Optional[bytes]:
        if not valid_tile(z, x, y):
            return None
        row = (1 << z) - 1 - y  # TMS rows count from the south
        with self._lock:
            got = self._conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND "
                "tile_row = ?", (z, x, row)).fetchone()
        return None if got is None or got[0] is None else bytes(got[0])

    def close(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()
            self._conn = None


class XYZFolderSource(TileSource):
    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise UserError(f"{shown(self.path)}: no such folder of tiles — give a folder laid "
                            "out as Z/X/Y.png")
        zooms = sorted(int(p.name) for p in self.path.iterdir()
                       if p.is_dir() and p.name.isdigit() and int(p.name) <= MAX_ZOOM)
        if not zooms:
            raise UserError(f"{shown(self.path)}: holds no Z/X/Y tiles (no zoom folders 0, 1, …)")
        self.min_zoom, self.max_zoom = zooms[0], zooms[-1]
        self.attribution = self.path.name
        self._root = os.path.realpath(self.path)

    def tile(self, z: int, x: int, y: int) -> Optional[bytes]:
        if not valid_tile(z, x, y):
            return None
        for suffix in IMAGE_SUFFIXES:
            candidate = self.path / str(z) / str(x) / f"{y}.{suffix}"
            if candidate.is_file():
                # a symlink may not lead out of the folder the user chose
                if not os.path.realpath(candidate).startswith(self._root + os.sep):
                    return None
                return candidate.read_bytes()
        return None


def open_tile_source(basemap) -> TileSource:
    """The tile source of a local basemap ``mbtiles:FILE`` / ``xyz:FOLDER`` (or a bare path to
    a .mbtiles file or a folder)."""
    text = str(basemap)
    if not text.lower().startswith(bm.LOCAL_PREFIXES):
        text = ("xyz:" if Path(text).is_dir() else "mbtiles:") + text
    kind = bm.check_basemap(text).partition(":")[0]
    path = bm.local_path(text)
    return MBTilesSource(path) if kind == "mbtiles" else XYZFolderSource(path)


# --- tiles inside an exported page ---------------------------------------------------------

def tile_xy(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding (lat, lon) at zoom z (Web Mercator)."""
    lat = max(-85.05112878, min(85.05112878, lat))
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _padded(bounds, pad: float) -> tuple[float, float, float, float]:
    (s, w), (n, e) = bounds
    dlat = max(n - s, 0.02) * pad
    dlon = max(e - w, 0.02) * pad
    return s - dlat, w - dlon, n + dlat, e + dlon


def embed_tiles(source: TileSource, bounds, *, max_tiles: int = EMBED_MAX_TILES,
                max_bytes: int = EMBED_MAX_BYTES, pad: float = 0.5) -> dict:
    """The source's tiles around ``bounds`` ([[south, west], [north, east]]) as data: URIs,
    zoom level by zoom level from the coarsest, while the page stays under ``max_tiles`` and
    ``max_bytes`` (beyond the last zoom embedded, Leaflet scales that zoom's tiles up).
    Returns {"tiles": {"z/x/y": uri}, "min_zoom", "max_zoom", "attribution"}."""
    if bounds is None:
        bounds = [[-60.0, -170.0], [70.0, 170.0]]
    s, w, n, e = _padded(bounds, pad)
    tiles: dict[str, str] = {}
    total = 0
    last = None
    for z in range(source.min_zoom, source.max_zoom + 1):
        x0, y0 = tile_xy(n, w, z)
        x1, y1 = tile_xy(s, e, z)
        count = (x1 - x0 + 1) * (y1 - y0 + 1)
        if len(tiles) + count > max_tiles:
            break
        level: dict[str, str] = {}
        size = 0
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                data = source.tile(z, x, y)
                if data:
                    uri = f"data:{mime_type(data)};base64,{base64.b64encode(data).decode()}"
                    level[f"{z}/{x}/{y}"] = uri
                    size += len(uri)
        if total + size > max_bytes:
            break
        tiles.update(level)
        total += size
        if level:
            last = z
    if not tiles:
        raise UserError(f"{shown(source.path)}: has no tiles around this vehicle (zoom "
                        f"{source.min_zoom}–{source.max_zoom}) — use tiles that cover its area")
    first = min(int(k.split("/")[0]) for k in tiles)
    return {"tiles": tiles, "min_zoom": first, "max_zoom": last,
            "attribution": source.attribution}
