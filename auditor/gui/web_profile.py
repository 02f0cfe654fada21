"""The web profile every auditor page runs in (the vehicle map, the drift map): off the record
(no cache or cookies on disk: tiles of someone's street never land in a cache folder), with

- the ``auditor-tiles`` scheme: local tiles of the open project's MBTiles file or XYZ folder
  (auditor.maps.tiles), answered from disk — streets with no network at all;
- a request guard (defence in depth behind the pages' Content-Security-Policy): a page may load
  its own content (qrc:, data:, about:, a temp file:) and local tiles; the only network request
  let through is an https tile of the basemap the analyst chose for this project. Everything
  else is refused and counted.

The scheme must be registered before the QApplication exists (``register_scheme``: the app's
entry points and the tests' conftest call it). One profile per process, shared by every
window: each local basemap has its own host in the scheme (auditor.maps.basemap.local_tile_key)
and the guard lets through the hosts of the basemaps the open views use, so two windows on two
projects each get their own tiles."""
from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from typing import Optional
from urllib.parse import urlsplit

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from auditor.maps import basemap as bm

log = logging.getLogger("auditor.gui.web")
SCHEME = bm.LOCAL_TILE_SCHEME.encode()
# content a page may always load: its own markup, inline data, the QWebChannel script, and a
# page too big for setHtml written to a temp file
LOCAL_SCHEMES = {"qrc", "data", "about", "blob", "file", bm.LOCAL_TILE_SCHEME}


def register_scheme() -> None:
    """Declare ``auditor-tiles`` to QtWebEngine (once; before the QApplication is created)."""
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme
                    | QWebEngineUrlScheme.Flag.CorsEnabled)
    QWebEngineUrlScheme.registerScheme(scheme)


def allowed_hosts(basemap: str) -> tuple[str, ...]:
    """Hosts an https tile request may go to for ``basemap`` ('.example.org' = any subdomain)."""
    try:
        kind = bm.kind(basemap)
    except Exception:  # an unreadable choice: nothing goes out
        return ()
    if kind in (bm.NONE, "local"):
        return ()
    host = (urlsplit(bm.tile_url(basemap)).hostname or "").lower()  # no user info, no port
    first, dot, rest = host.partition(".")
    if first.startswith("{") and first.endswith("}") and dot:
        return (f".{rest}",)  # {s}.tile.example.org
    return (host,)


class RequestGuard(QWebEngineUrlRequestInterceptor):
    """Refuses every request but the page's own content and the chosen basemap's tiles."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.hosts: tuple[str, ...] = ()
        self.blocked: list[str] = []   # what was refused (diagnostics, tests); the last 200
        self.allowed = 0

    def interceptRequest(self, info) -> None:
        url = info.requestUrl()
        scheme = url.scheme().lower()
        if scheme in LOCAL_SCHEMES:
            return
        host = url.host().lower()
        if scheme == "https" and host and any(
                host == h or (h.startswith(".") and host.endswith(h)) for h in self.hosts):
            self.allowed += 1
            return
        info.block(True)  # first: nothing below may stop the refusal
        where = f"{scheme}://{host}{url.path()}"  # no query: it may hold a key
        self.blocked = (self.blocked + [where])[-200:]
        log.info("refused a page request to %s (not the project's basemap)", where)


class LocalTiles(QWebEngineUrlSchemeHandler):
    """auditor-tiles://{key}/{z}/{x}/{y} -> the tile of the local basemap with that key."""

    MAX_OPEN = 8  # open MBTiles files / XYZ folders; the least recently used is closed

    def __init__(self, parent=None):
        super().__init__(parent)
        self.known: dict[str, str] = {}   # key -> basemap, every local one shown in this process
        self.sources: OrderedDict = OrderedDict()  # key -> open TileSource, oldest use first
        self.served = 0
        self._lock = threading.Lock()

    def add(self, basemap: str) -> None:
        """Make ``basemap`` (an mbtiles:/xyz: one) servable under its key."""
        with self._lock:
            self.known[bm.local_tile_key(basemap)] = basemap

    def _source(self, key: str):
        """The open source of ``key`` (opened on first use; None: unknown or unreadable)."""
        from auditor.maps.tiles import open_tile_source
        if key in self.sources:
            self.sources.move_to_end(key)
            return self.sources[key]
        basemap = self.known.get(key)
        if basemap is None:
            return None
        try:
            source = open_tile_source(basemap)
        except Exception as exc:  # the page shows no tiles; the menu said why already
            log.warning("local tiles %s cannot be read: %s", basemap, exc)
            return None
        self.sources[key] = source
        while len(self.sources) > self.MAX_OPEN:
            self.sources.popitem(last=False)[1].close()
        return source

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        from auditor.maps.tiles import mime_type, parse_tile_path
        url = job.requestUrl()
        where = parse_tile_path(url.path())
        data = None
        with self._lock:
            source = self._source(url.host().lower()) if where is not None else None
            if source is not None:
                try:
                    data = source.tile(*where)
                except Exception as exc:  # a damaged file: no tile, said in the log
                    log.warning("local tile %s: %s", where, exc)
        if not data:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buf = QBuffer(job)  # lives as long as the request
        buf.setData(QByteArray(data))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        self.served += 1
        job.reply(mime_type(data).encode(), buf)


class _Anyone:
    """The owner of a basemap chosen without a view (scripts, tests)."""


_ANYONE = _Anyone()


_PROFILE: Optional[QWebEngineProfile] = None


def auditor_profile() -> QWebEngineProfile:
    """The process' profile for auditor pages (made on first use, after the QApplication)."""
    global _PROFILE
    if _PROFILE is None:
        register_scheme()  # no-op when the entry point did it in time
        profile = QWebEngineProfile(QCoreApplication.instance())  # no name: off the record
        profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        profile.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies)
        profile.tiles = LocalTiles(profile)
        profile.basemaps = weakref.WeakKeyDictionary()  # view -> the basemap it shows
        profile.guard = RequestGuard(profile)
        profile.installUrlSchemeHandler(SCHEME, profile.tiles)
        profile.setUrlRequestInterceptor(profile.guard)
        _PROFILE = profile
    return _PROFILE


def use_basemap(basemap: str, owner: object = None) -> None:
    """``owner`` (a view; None: anyone) now shows ``basemap``: its local tiles are served and
    the guard lets through the tile hosts of the basemaps the living owners show, no others."""
    profile = auditor_profile()
    if str(basemap).startswith(bm.LOCAL_PREFIXES):
        profile.tiles.add(basemap)
    profile.basemaps[_ANYONE if owner is None else owner] = basemap
    profile.guard.hosts = tuple(sorted({h for b in list(profile.basemaps.values())
                                        for h in allowed_hosts(b)}))
