"""The web profile every auditor page runs in (the vehicle map, the drift map): off the record
(no cache or cookies on disk: tiles of someone's street never land in a cache folder), with

- the ``auditor-tiles`` scheme: local tiles of the open project's MBTiles file or XYZ folder
  (auditor.maps.tiles), answered from disk — streets with no network at all;
- a request guard (defence in depth behind the pages' Content-Security-Policy): a page may load
  its own content (qrc:, data:, about:, a temp file:) and local tiles; the only network request
  let through is an https tile of the basemap the analyst chose for this project. Everything
  else is refused and counted.

The scheme must be registered before the QApplication exists (``register_scheme``: the app's
entry points and the tests' conftest call it). One profile per process; it serves the basemap
of the project last shown (one window is the rule)."""
from __future__ import annotations

import logging
import threading
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
    """auditor-tiles://local/{z}/{x}/{y} -> the tile of the project's local basemap."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.basemap: Optional[str] = None
        self.source = None
        self.served = 0
        self._lock = threading.Lock()

    def set_basemap(self, basemap: Optional[str]) -> None:
        """Serve ``basemap`` (an mbtiles:/xyz: one; anything else serves nothing)."""
        from auditor.maps.tiles import open_tile_source
        with self._lock:
            if basemap == self.basemap:
                return
            if self.source is not None:
                self.source.close()
            self.source, self.basemap = None, basemap
            if basemap and basemap.startswith(bm.LOCAL_PREFIXES):
                try:
                    self.source = open_tile_source(basemap)
                except Exception as exc:  # the page shows no tiles; the menu said why already
                    log.warning("local tiles %s cannot be read: %s", basemap, exc)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        from auditor.maps.tiles import mime_type, parse_tile_path
        where = parse_tile_path(job.requestUrl().path())
        data = None
        with self._lock:
            if where is not None and self.source is not None:
                try:
                    data = self.source.tile(*where)
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
        profile.guard = RequestGuard(profile)
        profile.installUrlSchemeHandler(SCHEME, profile.tiles)
        profile.setUrlRequestInterceptor(profile.guard)
        _PROFILE = profile
    return _PROFILE


def use_basemap(basemap: str) -> None:
    """What the pages may load from now on: ``basemap``'s tiles (local ones served here)."""
    profile = auditor_profile()
    profile.tiles.set_basemap(basemap if str(basemap).startswith(bm.LOCAL_PREFIXES) else None)
    profile.guard.hosts = allowed_hosts(basemap)
