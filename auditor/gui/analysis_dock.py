"""The "Analysis" dock: validation, suspicious labels, error tree, skew and leakage, spatial
drift — each a tab over the cached report of the open project's run (analysis_state)."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QTabWidget, QVBoxLayout, QWidget

from auditor.gui.analysis_skew import SkewView
from auditor.gui.analysis_state import Analysis, AnalysisLoader
from auditor.gui.analysis_suspicious import SuspiciousQueue
from auditor.gui.analysis_tree import ErrorTreeView
from auditor.gui.analysis_validation import ValidationView

TABS = ("validation", "suspicious", "tree", "skew", "drift")


class AnalysisDock(QDockWidget):
    placesChosen = Signal(list, str)  # show exactly these places (browser filter + first on map)
    placeChosen = Signal(str)         # select this one place
    analysisReady = Signal(object)

    def __init__(self, parent=None):
        super().__init__("Analysis", parent)
        self.setObjectName("analysisDock")
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea
                             | Qt.DockWidgetArea.TopDockWidgetArea
                             | Qt.DockWidgetArea.RightDockWidgetArea)
        self.conn: Optional[sqlite3.Connection] = None
        self.analysis: Optional[Analysis] = None
        self.basemap = "none"
        self.loader = AnalysisLoader(self)
        self.status = QLabel()
        self.status.setObjectName("analysisStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.validation = ValidationView()
        self.suspicious = SuspiciousQueue()
        self.tree = ErrorTreeView()
        self.skew = SkewView()
        self._drift = None  # a web view: built when its tab is first shown
        self.drift_holder = QWidget()
        QVBoxLayout(self.drift_holder).setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("analysisTabs")
        self.tabs.setDocumentMode(True)
        for widget, title in ((self.validation, "Validation"),
                              (self.suspicious, "Suspicious labels"),
                              (self.tree, "Error tree"), (self.skew, "Skew && leakage"),
                              (self.drift_holder, "Spatial drift")):
            self.tabs.addTab(widget, title)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        self.setWidget(body)

        self.validation.placesChosen.connect(self.placesChosen)
        self.tree.placesChosen.connect(self.placesChosen)
        self.suspicious.placeChosen.connect(self.placeChosen)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.loader.started.connect(lambda: self.status.setText("Computing the analysis…"))
        self.loader.progressed.connect(self.status.setText)
        self.loader.ready.connect(self._ready)
        self.loader.failed.connect(self._failed)
        self.status.setText("Open a project to see its analysis.")

    @property
    def report(self) -> Optional[dict]:
        return None if self.analysis is None else self.analysis.report

    @property
    def drift(self):
        if self._drift is None:
            from auditor.gui.analysis_drift import DriftMapView
            self._drift = DriftMapView()
            self.drift_holder.layout().addWidget(self._drift)
        return self._drift

    # --- project --------------------------------------------------------------------------------
    def set_project(self, conn: Optional[sqlite3.Connection], path: Optional[Path],
                    run_id: Optional[int]) -> None:
        """Show the project's analysis: from the cache, or computed in the background."""
        self.conn = conn
        self._show(None)
        if conn is None or path is None:
            self.loader.cancel()
            self.status.setText("Open a project to see its analysis.")
            return
        self.loader.load(path, run_id)

    def shutdown(self, wait_ms: int = 30_000) -> None:
        """Stop a running computation (at its next step) before the window goes away."""
        self.loader.cancel(wait_ms)

    def _ready(self, analysis: Analysis) -> None:
        v = analysis.report["validation"]
        # which labeller produced the run's labels, and flags pointing nowhere (issue 11)
        source = (analysis.report.get("labels_source") or {}).get("kind")
        by = {"no_labels": "labels by the 02:00 baseline", "model_from":
              "labels by a model trained elsewhere"}.get(source, "labels by the model")
        orphans = (analysis.report.get("orphaned_flags") or {}).get("n", 0)
        self.status.setText(
            f"Run {analysis.run_id} ({by}): "
            + ("no labels · " if v.get("status") == "no labels" else
               "validation accuracy "
               + ("–" if v["accuracy"] is None else f"{100 * v['accuracy']:.1f} %")
               + f" on {v['n']:,} places · ")
            + f"{len(analysis.report['suspicious']):,} suspicious labels"
            f" · {analysis.report['error_tree']['errors']:,} out-of-fold errors"
            + (f" · {orphans} orphaned flags" if orphans else ""))
        self._show(analysis)
        self.analysisReady.emit(analysis)

    def _failed(self, message: str) -> None:
        self._show(None)
        self.status.setText(message)

    def _show(self, analysis: Optional[Analysis]) -> None:
        self.analysis = analysis
        self.validation.set_analysis(analysis, self.conn)
        self.suspicious.set_analysis(analysis, self.conn)
        self.tree.set_analysis(analysis)
        self.skew.set_analysis(analysis)
        if self._drift is not None or self.tabs.currentWidget() is self.drift_holder:
            self.drift.show_analysis(analysis, self.basemap)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.drift_holder:
            self.drift.show_analysis(self.analysis, self.basemap)

    def set_basemap(self, basemap: str) -> None:
        self.basemap = basemap
        if self._drift is not None and self.analysis is not None:
            self.drift.show_analysis(self.analysis, basemap)

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))

    # --- used by the main window ------------------------------------------------------------
    def queue_has_focus(self) -> bool:
        """Is the keyboard in the suspicious queue (so N walks the queue, not the browser)?"""
        focus = self.suspicious.table
        w = self.window().focusWidget() if self.window() else None
        return self.isVisible() and self.tabs.currentWidget() is self.suspicious and \
            w is not None and (w is focus or focus.isAncestorOf(w))

    def suspicion_reason(self, place_id: str) -> Optional[str]:
        return self.suspicious.reason_for(place_id) if self.analysis is not None else None

    def refresh_flags(self) -> None:
        self.suspicious.refresh_flags()
