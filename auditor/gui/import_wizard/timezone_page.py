"""Step 3 (CSV/Parquet pings): the timezone of naive timestamps, the coordinates' datum and
the plausible-time window."""
from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWizardPage,
)

from auditor.errors import UserError
from auditor.gui.import_wizard.common import NO_TZ, PAGE_REVIEW, problem_label
from auditor.gui.text import tip
from auditor.ingest import time_formats
from auditor.ingest.datums import DATUMS
from auditor.ingest.preview import own_time_form, stamp_values, timestamp_style
from auditor.ingest.timestamps import VEHICLE_ZONE

DATUM_WORDS = {"wgs84": "WGS-84 (GPS; most files)", "gcj02": "GCJ-02 (mainland China's map datum)",
               "bd09": "BD-09 (Baidu)", "tokyo": "Tokyo datum (Japan before 2002)"}
EACH_VEHICLE_TZ = "Each vehicle's own (the timezone column of its vehicles file)"
# day and month written as numbers: which comes first (the import's time_formats.orders)
BY_THE_DATES, DAY_FIRST, MONTH_FIRST = 0, 1, 2

if TYPE_CHECKING:
    from auditor.gui.import_wizard.wizard import ImportWizard


class TimezonePage(QWizardPage):
    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Timezone, coordinates and time window")
        self.setSubTitle("The timezone is needed only when timestamps have no offset (e.g. "
                         "2026-03-02 08:15:00); type to search, e.g. 'Berlin'. Coordinates are "
                         "WGS-84 but from mainland China's platforms (GCJ-02) and old Japanese "
                         "units. The time window is optional.")
        self.notice = QLabel()
        self.notice.setObjectName("importTimestampNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.combo = QComboBox()
        self.combo.setObjectName("importTimezone")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItem(NO_TZ, None)
        # a fleet across zones whose exporter writes local times: each vehicle's own zone
        self.combo.addItem(EACH_VEHICLE_TZ, VEHICLE_ZONE)
        for zone in sorted(zoneinfo.available_timezones()):
            self.combo.addItem(zone, zone)
        self.combo.setToolTip("The IANA zone the naive timestamps were written in")
        completer = QCompleter(self.combo.model(), self.combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.combo.setCompleter(completer)
        self.combo.currentTextChanged.connect(lambda _t: self.completeChanged.emit())
        # the plausible-time window (ingest --min-time/--max-time): pings outside it are
        # quarantined as implausible_timestamp; empty = the default bound
        window_tip = tip("Pings stamped outside this window are quarantined as "
                         "implausible_timestamp (a clock reset to 1970, a GPS week rollover, a "
                         "date in the future). A date such as 2024-01-01, an ISO-8601 time "
                         "(without an offset: UTC) or epoch seconds; empty: the default.")
        self.min_time = QLineEdit()
        self.min_time.setObjectName("importMinTime")
        self.min_time.setPlaceholderText("2000-01-01 (default)")
        self.max_time = QLineEdit()
        self.max_time.setObjectName("importMaxTime")
        self.max_time.setPlaceholderText("now + 1 day (default)")
        for edit in (self.min_time, self.max_time):
            edit.setToolTip(window_tip)
            edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        # shown only for a file whose dates could be day first or month first ('05/03/2026')
        self.order = QComboBox()
        self.order.setObjectName("importDateOrder")
        self.order.addItems(["Decided by the dates (a day above 12)",
                             "Day first (05/03 is 5 March)", "Month first (05/03 is May 3)"])
        self.order.setToolTip(tip("Dates written with numbers only, such as 05/03/2026, are "
                                  "read day first or month first. The import decides by the "
                                  "file's own dates; when none is above 12 it asks."))
        self.order_label = QLabel("Day and month")
        # the datum the coordinates are written in (ingest --datum): moved to WGS-84
        self.datum = QComboBox()
        self.datum.setObjectName("importDatum")
        for key in DATUMS:
            self.datum.addItem(DATUM_WORDS[key], None if key == "wgs84" else key)
        self.datum.setToolTip(tip("Fleet platforms and map services in mainland China write "
                                  "GCJ-02 (Baidu: BD-09), a few hundred metres off GPS; old "
                                  "Japanese units the Tokyo datum. Pings and labels are moved "
                                  "to WGS-84, GPS's own, as they are imported."))
        self.why = problem_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        order = QHBoxLayout()
        order.addWidget(self.order_label)
        order.addWidget(self.order, 1)
        layout.addLayout(order)
        zone = QLabel("Timezone")
        zone.setToolTip(self.combo.toolTip())
        row = QHBoxLayout()
        row.addWidget(zone)
        row.addWidget(self.combo, 1)
        layout.addLayout(row)
        datum = QHBoxLayout()
        datum.addWidget(QLabel("Coordinates in"))
        datum.addWidget(self.datum, 1)
        layout.addLayout(datum)
        window = QHBoxLayout()
        window.addWidget(QLabel("Keep pings from"))
        window.addWidget(self.min_time, 1)
        window.addWidget(QLabel("to"))
        window.addWidget(self.max_time, 1)
        layout.addLayout(window)
        layout.addWidget(self.why)
        layout.addStretch(1)
        self.styles: dict[str, tuple[str, str]] = {}
        self.forms: dict[str, str] = {}  # file name -> the form its first stamps are written in
        self._show_order(False)

    def _show_order(self, shown: bool) -> None:
        self.order.setVisible(shown)
        self.order_label.setVisible(shown)

    def initializePage(self) -> None:
        """Notice how each pings file writes its times: with an offset, as epoch numbers, or
        naive (then, and only then, a zone is needed)."""
        self.styles, self.forms = {}, {}
        lines = []
        for e in self.wiz.entries:
            if e.kind != "pings" or e.gpx or e.preview is None:
                continue
            values = stamp_values(e.preview.frame, e.found())
            style, example = timestamp_style(values)
            form = own_time_form(values)
            if form is not None:  # a regional form ('05/03/2026 08:15'; digits 20260305081500)
                self.forms[e.path.name] = form
                example = next(str(v).strip() for v in values if v is not None and str(v).strip())
                style = "offset" if "%z" in form else "naive"
            self.styles[e.path.name] = (style, example)
            if form is not None:
                lines.append(f"{e.path.name}: the timestamps are written as {example} "
                             f"({time_formats.describe(form)})"
                             + (" — pick the timezone they were written in." if style == "naive"
                                else ", each with its own UTC offset — no timezone needed."))
                continue
            lines.append({
                "offset": f"{e.path.name}: the timestamps carry their own UTC offset (e.g. "
                          f"{example}) — no timezone needed; each keeps its offset.",
                "epoch": f"{e.path.name}: the timestamps are epoch numbers (e.g. {example}), "
                         "which are UTC — no timezone needed.",
                "zone": f"{e.path.name}: the timestamps name their timezone (e.g. {example}) "
                        "— no timezone needed.",
                "naive": f"{e.path.name}: the timestamps have no offset (e.g. {example}) — "
                         "pick the timezone they were written in.",
                "unknown": f"{e.path.name}: no timestamp could be read from the first rows.",
            }[style])
        self.notice.setText("\n".join(lines))
        self._show_order(any(len(time_formats.orders(f)) > 1 for f in self.forms.values()))
        if not self.needs_zone() and self.tz() is not None:
            return
        if not self.needs_zone():
            self.combo.setCurrentIndex(0)

    def needs_zone(self) -> bool:
        return any(style == "naive" for style, _ in self.styles.values())

    def tz(self) -> Optional[str]:
        index = self.combo.findText(self.combo.currentText())
        return self.combo.itemData(index) if index >= 0 else None

    def set_tz(self, zone: Optional[str]) -> None:
        self.combo.setCurrentIndex(self.combo.findData(zone) if zone else 0)

    def chosen_datum(self) -> Optional[str]:
        """The coordinates' datum (None: WGS-84, as GPS writes them)."""
        return self.datum.currentData()

    def time_format(self, name: str) -> Optional[str]:
        """The --time-format of the file named ``name``: its form in the order picked, or None
        (the import finds the form and orders day and month by the dates)."""
        form = self.forms.get(name)
        readings = time_formats.orders(form) if form else []
        pick = self.order.currentIndex()
        if len(readings) < 2 or pick == BY_THE_DATES:
            return None
        return readings[0] if pick == DAY_FIRST else readings[1]

    def time_window(self) -> tuple[Optional[str], Optional[str]]:
        """(min_time, max_time) as typed (None: the default bound)."""
        return (self.min_time.text().strip() or None, self.max_time.text().strip() or None)

    def _window_problem(self) -> Optional[str]:
        from auditor.ingest.validate import time_window
        lo, hi = self.time_window()
        for text in (lo, hi):
            if text is not None:
                try:
                    time_window(text)
                except UserError:
                    return (f"“{text}” is not a time — use a date such as 2024-01-01, an "
                            "ISO-8601 time or epoch seconds.")
        try:
            time_window(lo, hi)
        except UserError:
            return "The window's start comes after its end — swap them."
        return None

    def isComplete(self) -> bool:
        why = None
        if self.combo.findText(self.combo.currentText()) < 0:
            why = f"“{self.combo.currentText()}” is not a timezone — pick one from the list."
        elif self.needs_zone() and self.tz() is None:
            naive = [n for n, (s, _) in self.styles.items() if s == "naive"]
            why = f"{', '.join(naive)}: timestamps without an offset — pick their timezone."
        else:
            why = self._window_problem()
        self.why.setText(why or "")
        return why is None

    def nextId(self) -> int:
        return PAGE_REVIEW
