"""The basemap under a map: what may be chosen, where the choice lives, what a page may load.

A basemap is one of
- ``none`` (the default: no request leaves the machine),
- ``osm`` (OpenStreetMap's https tiles),
- an **https** tile URL template with {z}, {x} and {y} (plain http is refused: the tile
  requests would say, unencrypted, which streets an analyst looks at),
- ``mbtiles:FILE`` or ``xyz:FOLDER``: local tiles (auditor.maps.tiles), no network at all.

The choice is stored **per project** (project_settings, key ``basemap``): turning OSM on for
one project never sends another project's homes to a tile server. ``project_basemap`` /
``set_project_basemap`` are the Qt-free API the GUI's View ▸ Basemap menu uses.

A tile URL may carry an API key (``?key=…``, ``user:token@host``). ``public_tile_url`` drops
the query string (but placeholders such as ``z={z}``), fragment and user info; pages exported
to a file (``auditor map --out``) use it, so a key never lands in an HTML file that is mailed
around. A key written into the URL's path cannot be told from the path and is kept."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from auditor.errors import UserError
from auditor.failures import shown
from auditor.store.project_settings import get_setting, set_setting

NONE, OSM = "none", "osm"
BASEMAPS = (NONE, OSM)
LOCAL_PREFIXES = ("mbtiles:", "xyz:")
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                   'OpenStreetMap</a> contributors')
# the scheme the GUI serves local tiles under (a QWebEngineUrlSchemeHandler over tiles.py)
LOCAL_TILE_SCHEME = "auditor-tiles"
SETTING_KEY = "basemap"

_URL_CHARS = r"[^\s\"'<>\\`]"
_TILE_URL = re.compile(rf"^https://{_URL_CHARS}*\{{z\}}{_URL_CHARS}*\{{x\}}{_URL_CHARS}*"
                       rf"\{{y\}}{_URL_CHARS}*$")


def check_basemap(basemap) -> str:
    """The normalised basemap, or UserError saying what is accepted."""
    basemap = ("none" if basemap is None else str(basemap)).strip()
    if basemap.lower() in BASEMAPS:
        return basemap.lower()
    if basemap.lower().startswith(LOCAL_PREFIXES):
        kind, _, where = basemap.partition(":")
        if not where.strip():
            raise UserError(f"basemap {basemap!r}: name the file, e.g. mbtiles:/data/city.mbtiles "
                            "or xyz:/data/tiles")
        return f"{kind.lower()}:{where.strip()}"
    if basemap.lower().startswith("http://"):
        raise UserError(f"basemap {shown(basemap)!r}: plain http is refused (tile requests would "
                        "show, unencrypted, which streets you look at) — use the provider's "
                        "https:// URL")
    if not _TILE_URL.match(basemap) or not urlsplit(basemap).hostname:
        raise UserError(f"basemap {shown(basemap)!r} is not none, osm, mbtiles:FILE, xyz:FOLDER "
                        "or an https tile URL template — write e.g. "
                        "https://tile.example.org/{z}/{x}/{y}.png")
    return basemap


def kind(basemap: str) -> str:
    """'none', 'osm', 'local' or 'url'."""
    basemap = check_basemap(basemap)
    if basemap in BASEMAPS:
        return basemap
    return "local" if basemap.startswith(LOCAL_PREFIXES) else "url"


def local_path(basemap: str) -> Path:
    """The file or folder of an mbtiles:/xyz: basemap."""
    return Path(check_basemap(basemap).partition(":")[2])


def tile_url(basemap: str) -> str | None:
    """The URL template a page's tile layer uses (None: no tile layer)."""
    k = kind(basemap)
    if k == NONE:
        return None
    if k == OSM:
        return OSM_URL
    if k == "local":
        return local_tile_url(basemap)
    return basemap


def local_tile_key(basemap: str) -> str:
    """The host under which the GUI serves a local basemap's tiles: one per MBTiles file or
    XYZ folder, so two windows on two projects each draw their own streets."""
    return hashlib.sha256(check_basemap(basemap).encode()).hexdigest()[:16]


def local_tile_url(basemap: str) -> str:
    return f"{LOCAL_TILE_SCHEME}://{local_tile_key(basemap)}/{{z}}/{{x}}/{{y}}"


def public_tile_url(url: str) -> str:
    """``url`` without what may hold an API key: user info, fragment, and every query
    parameter except those that are only a tile placeholder (``z={z}``)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    kept = [kv for kv in parts.query.split("&")
            if kv and re.fullmatch(r"[A-Za-z0-9_.-]+=\{[a-z]\}", kv)]
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(kept), ""))


def has_secrets(url: str) -> bool:
    """True when public_tile_url would drop something (a query, fragment or user info)."""
    return public_tile_url(url) != url


def image_source(basemap: str) -> list[str]:
    """CSP img-src sources the tiles of ``basemap`` need (beyond data:)."""
    url = tile_url(basemap)
    if url is None:
        return []
    if kind(basemap) == "local":
        return [f"{LOCAL_TILE_SCHEME}:"]
    host = urlsplit(url).netloc.rpartition("@")[2]
    first, dot, rest = host.partition(".")
    if re.fullmatch(r"\{[a-z]\}", first) and dot and "{" not in rest:
        return [f"https://*.{rest}"]   # {s}.tile.example.org: the subdomains a, b, c
    if "{" in host:
        return ["https:"]  # a host template CSP cannot express: https only
    return [f"https://{host}"]


# --- per project ---------------------------------------------------------------------------------

def project_basemap(conn: sqlite3.Connection) -> str:
    """The project's basemap ('none' unless one was chosen for this project)."""
    value = get_setting(conn, SETTING_KEY)
    if not value:
        return NONE
    try:
        return check_basemap(value)
    except UserError:  # stored by a newer or older auditor with other rules: safest is none
        return NONE


def set_project_basemap(conn: sqlite3.Connection, basemap) -> str:
    """Store the project's basemap (validated); returns it normalised."""
    value = check_basemap(basemap)
    set_setting(conn, SETTING_KEY, value)
    return value
