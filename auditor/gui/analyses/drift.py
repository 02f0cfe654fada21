"""Spatial drift tab: the fleet's parking cells that changed between the first and second half
of the data, on an offline Leaflet page (auditor.maps.drift_map)."""
from __future__ import annotations

import json
from typing import Callable, Optional

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWebEngineWidgets import QWebEngineView

from auditor.analysis.results import Analysis
from auditor.gui.web_page import PinnedPage
from auditor.gui.web_profile import use_basemap
from auditor.state.app_state import AppState


class DriftMapView(QWebEngineView):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.setAcceptDrops(False)  # a dropped file goes to the window (import), not a page
        self.state = state
        self.analysis: Optional[Analysis] = None
        self.setObjectName("driftMap")
        self._page = PinnedPage(self)
        self.setPage(self._page)
        self.shown_key: Optional[tuple[int, str]] = None
        self.loaded = False
        self.loadFinished.connect(self._loaded)
        state.settings_changed.connect(lambda name: name == "basemap" and
                                       self.set_analysis(self.analysis))

    def _loaded(self, ok: bool) -> None:
        # a page replaced before it finished also reports here: ``loaded`` only once the page
        # of the current analysis has drawn its cells (window.auditorDrift), or is the
        # no-analysis page
        token = self.shown_key
        if self.analysis is None:
            self.loaded = bool(ok)
            return
        self._poll(token, 0)

    def _poll(self, token, tries: int) -> None:
        def check(state) -> None:
            if token != self.shown_key:
                return
            if state is not None or tries >= 200:  # ~10 s: the page will not say more
                self.loaded = True
            else:
                QTimer.singleShot(50, lambda: self._poll(token, tries + 1))
        self.page_state(check)

    def set_analysis(self, analysis: Optional[Analysis]) -> None:
        """Render the page (only when the run or basemap changed: it costs a page load)."""
        self.analysis = analysis
        basemap = self.state.basemap
        key = None if analysis is None else (analysis.identity, basemap)
        if key == self.shown_key and key is not None:
            return
        self.shown_key = key
        self.loaded = False
        if analysis is None:
            self.setHtml("<html><body style='font-family:sans-serif;color:#555'>"
                         "<p>No analysis yet.</p></body></html>", QUrl("about:blank"))
            return
        from auditor.maps.drift_map import render_drift_map
        use_basemap(basemap, self)
        html = render_drift_map(analysis.report["skew"]["spatial_drift"], basemap=basemap)
        self.setHtml(html, QUrl("qrc:///auditor/drift.html"))

    def page_state(self, callback: Callable[[Optional[dict]], None]) -> None:
        """Ask the page what it drew: {"cells": shown, "total": all cells} or None."""
        js = ("window.auditorDrift ? JSON.stringify({cells: window.auditorDrift.cellCount, "
              "total: window.auditorDrift.totalCells}) : 'null'")
        self._page.runJavaScript(js, 0, lambda text: callback(
            json.loads(text) if isinstance(text, str) else None))
