"""The status bar: the one place the app says what is open and what just happened (the
project, its counts, the run, the basemap, the analyst; messages the state sends)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar

from auditor.gui.settings import BASEMAP_NONE, BASEMAP_OSM
from auditor.gui.text import tip
from auditor.state.app_state import AppState

MESSAGE_MS = 4000


class StatusLine:
    def __init__(self, state: AppState, bar: QStatusBar):
        self.state = state
        self.bar = bar
        self.project = QLabel()
        self.counts = QLabel()
        self.run = QLabel()
        self.basemap = QLabel()
        self.analyst = QLabel()
        for w, name in ((self.project, "statusProject"), (self.counts, "statusCounts"),
                        (self.run, "statusRun"), (self.basemap, "statusBasemap"),
                        (self.analyst, "statusAnalyst")):
            w.setObjectName(name)
            w.setTextFormat(Qt.TextFormat.PlainText)
            bar.addPermanentWidget(w)
        state.project_changed.connect(lambda project: self.update())
        state.flags_changed.connect(lambda spec, op: self.update())
        state.settings_changed.connect(lambda name: self.update())
        state.message.connect(lambda text: bar.showMessage(text, MESSAGE_MS))
        self.update()

    def update(self) -> None:
        p = self.state.project
        if p is None:
            for w in (self.project, self.counts, self.run):
                w.setText("")
        else:
            c = p.counts()
            self.project.setText(p.path.name)
            self.project.setToolTip(tip(str(p.path)))
            flagged = (f"{c.flagged_places:,} place{'' if c.flagged_places == 1 else 's'} "
                       "flagged")
            if c.flags_in_force != c.flagged_places:  # say both: they are different counts
                flagged += (f" ({c.flags_in_force:,} flag{'' if c.flags_in_force == 1 else 's'}"
                            " in force)")
            self.counts.setText(f"{c.vehicles:,} vehicles · {c.places:,} places · "
                                f"{c.trips:,} trips · {c.labelled_places:,} labelled · "
                                + flagged
                                + (f" · {c.orphaned_flags:,} orphaned flag"
                                   f"{'' if c.orphaned_flags == 1 else 's'}"
                                   if c.orphaned_flags else ""))
            self.counts.setToolTip(tip(
                f"{c.flagged_places:,} places have at least one flag in force; "
                f"{c.flags_in_force:,} flags are in force in all (a place can carry a label "
                "correction and 'model wrong'; trips and vehicles count too; undone flags do "
                "not count)"
                + (f"; {c.orphaned_flags:,} place flags point at no place since the last infer "
                   "(re-attach or revoke them: 'auditor flags PROJECT')"
                   if c.orphaned_flags else "")))
            self.run.setText(f"run {p.run_id}" if p.run_id else "not inferred yet")
        bm = self.state.basemap
        self.basemap.setText("" if p is None else
                             "Basemap off (View ▸ Basemap)" if bm == BASEMAP_NONE else
                             "Basemap: OpenStreetMap" if bm == BASEMAP_OSM else
                             "Basemap: local tiles" if bm.startswith(("mbtiles:", "xyz:")) else
                             "Basemap: custom")
        self.basemap.setToolTip(tip("" if p is None else
                                    f"This project's basemap: {bm} (each project has its own)"))
        self.analyst.setText(f"analyst: {self.state.settings.analyst or '(not set)'}")
