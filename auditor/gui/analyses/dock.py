"""The "Analysis" dock: one tab per registered analysis with a view (auditor.analysis.registry),
over the analysis of the open project's run — served from the cache (keyed by the run's
identity) or computed off the GUI thread, the latest request winning. A tab's view is built the
first time it is needed, so a web view (the drift map) costs nothing until its tab is shown."""
from __future__ import annotations

import importlib
import logging
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QTabWidget, QVBoxLayout, QWidget

from auditor.analysis.registry import tabs
from auditor.analysis.sections.provenance import labeller_words
from auditor.errors import UserError
from auditor.gui.analyses.common import text_label
from auditor.gui.workers import Latest
from auditor.state.app_state import AppState

log = logging.getLogger("auditor.gui.analysis")


def _view_class(path: str):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


class AnalysisDock(QDockWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__("Analysis", parent)
        self.state = state
        self.setObjectName("analysisDock")
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea
                             | Qt.DockWidgetArea.TopDockWidgetArea
                             | Qt.DockWidgetArea.RightDockWidgetArea)
        from auditor.analysis.results import CACHE  # pandas-free
        self.cache = CACHE
        self.loader = Latest(self)
        self.status = text_label("analysisStatus")
        self.entries = tabs()
        self.views: dict[str, QWidget] = {}
        self.holders: dict[str, QWidget] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("analysisTabs")
        self.tabs.setDocumentMode(True)
        for e in self.entries:
            holder = QWidget()
            holder.setObjectName(f"analysisTab_{e.key}")
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.holders[e.key] = holder
            self.tabs.addTab(holder, e.title)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        self.setWidget(body)
        self.tabs.currentChanged.connect(self._tab_chosen)
        self.status.setText("Open a project to see its analysis.")
        state.project_changed.connect(self._project_changed)
        state.analysis_changed.connect(self._analysis_changed)
        # the orphan count is the flags' now, not the (cached) report's
        state.flags_changed.connect(lambda spec, op: self._show_status())

    @property
    def analysis(self):
        return self.state.analysis

    @property
    def report(self) -> Optional[dict]:
        return None if self.state.analysis is None else self.state.analysis.report

    def view(self, key: str) -> QWidget:
        """The tab's view, built on first use with the current analysis."""
        if key not in self.views:
            entry = next(e for e in self.entries if e.key == key)
            view = _view_class(entry.view)(self.state)
            self.holders[key].layout().addWidget(view)
            self.views[key] = view
            view.set_analysis(self.state.analysis)
        return self.views[key]

    # --- following the state -------------------------------------------------------------
    def _project_changed(self, project) -> None:
        self.loader.cancel()
        if project is None:
            self.status.setText("Open a project to see its analysis.")
            return
        if project.run_id is None:
            self.status.setText("No inference run yet: run Run ▸ Infer to see the analysis.")
            return
        from auditor.analysis.results import compute_analysis, run_identity
        cached = self.cache.get(run_identity(project.conn, project.run_id))
        if cached is not None:
            self.state.set_analysis(cached)
            return
        self.status.setText("Computing the analysis…")
        path, run_id = project.path, project.run_id
        self.loader.submit("Computing the analysis report",
                           lambda progress: compute_analysis(path, run_id, progress),
                           self._computed, on_error=self._failed, on_progress=self._progressed)

    def _progressed(self, done: float, total: float, message: str) -> None:
        self.status.setText(f"Computing the analysis… {message}"
                            + (f" ({done:.0f}/{total:.0f})" if total else ""))

    def _computed(self, analysis) -> None:
        self.cache.put(analysis)
        if self.state.project is not None and analysis.run_id == self.state.run_id:
            self.state.set_analysis(analysis)

    def _failed(self, exc: BaseException, tb: str) -> None:
        if isinstance(exc, UserError):
            self.status.setText(str(exc))
            return
        log.error("analysis report failed:\n%s", tb)
        self.status.setText(f"The analysis failed: {type(exc).__name__}: {exc} (see the log)")

    def _analysis_changed(self, analysis) -> None:
        self._show_status()
        for view in self.views.values():
            view.set_analysis(analysis)
        current = self.tabs.currentIndex()
        if current >= 0:
            self.view(self.entries[current].key)

    def _show_status(self) -> None:
        analysis, project = self.state.analysis, self.state.project
        if analysis is None or project is None:
            return
        from auditor.store.lookups import orphaned_flag_count
        self.status.setText(status_text(analysis.run_id, analysis.report,
                                        orphaned_flag_count(project.conn)))

    def _tab_chosen(self, i: int) -> None:
        entry = self.entries[i]
        shown = getattr(self.view(entry.key), "tab_shown", None)
        if shown is not None:  # a view that acts on being opened (the queue takes N's walk)
            shown()
        window = self.parentWidget()
        if (entry.min_height_share and window is not None and not self.isFloating()
                and window.dockWidgetArea(self) != Qt.DockWidgetArea.RightDockWidgetArea):
            want = int(window.height() * entry.min_height_share)
            if self.height() < want:
                window.resizeDocks([self], [want], Qt.Orientation.Vertical)

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex([e.key for e in self.entries].index(key))
        self.view(key)

    def shutdown(self, wait_ms: int = 30_000) -> None:
        """Stop a running computation (at its next step) before the window goes away."""
        self.loader.cancel(wait_ms)


def status_text(run_id: int, r: dict, orphans: int) -> str:
    """The dock's headline: which labeller produced the run's labels, its validation figures
    (none without labels), suspicious labels, errors, and ``orphans`` (flags pointing
    nowhere)."""
    v = r["validation"]
    return (f"Run {run_id} ({labeller_words(r)}): "
            + ("no labels · " if v.get("status") == "no labels" else
               "validation accuracy "
               + ("–" if v["accuracy"] is None else f"{100 * v['accuracy']:.1f} %")
               + f" on {v['n']:,} places"
               + _baseline_words(v) + " · ")
            + f"{sum((e.get('score') or 0) > 0 for e in r['suspicious']):,} suspicious labels"
            f" · {r['error_tree']['errors']:,} out-of-fold errors"
            + (f" · {orphans} orphaned flag{'' if orphans == 1 else 's'}" if orphans else ""))


def _baseline_words(v: dict) -> str:
    """" (02:00 baseline 81.0 %)": both accuracies, so the labeller choice can be checked."""
    acc = (v.get("baseline") or {}).get("accuracy")
    return "" if acc is None else f" (02:00 baseline {100 * acc:.1f} %)"
