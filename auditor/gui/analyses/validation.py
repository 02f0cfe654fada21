"""Validation tab: the confusion matrix (a cell click shows exactly its places in the browser
and on the map) and accuracy per population (metadata values, schedule-like slices)."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from auditor.analysis.results import Analysis
from auditor.classes import CLASSES
from auditor.gui.analyses.common import fill_table, fmt, item, pct, rate_color, read_only_table, text_label
from auditor.state.app_state import AppState

POPULATION_KEY = Qt.ItemDataRole.UserRole + 2  # (column, value) of a population row (+1 sorts)
# "val." = the held-out validation split; "OOF" = out-of-fold, every labelled place
POPULATION_HEADERS = ["slice", "value", "val. n", "val. accuracy", "OOF n", "OOF accuracy",
                      "errors before → after", "baseline before → after"]

HEADER_TIPS = {
    "slice": "The vehicle metadata column the population is cut by (fleet, firmware, "
             "schedule …)",
    "value": "The population: the slice's value its vehicles share",
    "val. n": "Labelled places of the population on the held-out validation vehicles",
    "OOF n": "Labelled places of the population scored out of fold (every labelled vehicle)",
    "val. accuracy": "Accuracy on the held-out validation vehicles (few, but never trained on)",
    "OOF accuracy": "Out-of-fold accuracy over every labelled place: each place scored by a "
                    "model that did not train on its vehicle",
    "errors before → after": "Out-of-fold errors in the previous model run → in this run "
                             "(after a fix: re-import, corrected labels)",
    "baseline before → after": "The 02:00 baseline's errors in the previous run → in this run",
}


def before_after_text(entry: Optional[dict]) -> str:
    """'5/102 → 1/102' from a fix_loop entry ({before, after}); '' without one."""
    if not entry:
        return ""
    b, a = entry["before"], entry["after"]
    return f"{b['errors']}/{b['n']} → {a['errors']}/{a['n']}"


class ValidationView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.analysis: Optional[Analysis] = None
        self.summary = text_label("validationSummary")
        self.confusion = QTableWidget(len(CLASSES), len(CLASSES))
        self.confusion.setObjectName("confusionMatrix")
        self.confusion.setHorizontalHeaderLabels(list(CLASSES))
        for j, c in enumerate(CLASSES):
            self.confusion.horizontalHeaderItem(j).setToolTip(
                f"Predicted {c}: the places the run labelled {c}, by the label they were given")
        self.confusion.setVerticalHeaderLabels([f"given {c}" for c in CLASSES])
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.setToolTip("Click a cell: the browser and the map show exactly its places")
        self.confusion.cellClicked.connect(self.choose_cell)
        self.populations = read_only_table(POPULATION_HEADERS, "populationAccuracy")
        self.populations.setToolTip("Click a row: the browser shows the population's labelled "
                                    "places, the map the first one")
        self.populations.cellClicked.connect(lambda row, _col: self.choose_population(row))
        for col, tip in HEADER_TIPS.items():
            self.populations.horizontalHeaderItem(POPULATION_HEADERS.index(col)).setToolTip(tip)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.summary)
        caption = QLabel("Rows: given label · columns: predicted. Click a cell to see its places.")
        caption.setWordWrap(True)
        ll.addWidget(caption)
        ll.addWidget(self.confusion, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.populations)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(split)

    def set_analysis(self, analysis: Optional[Analysis]) -> None:
        self.analysis = analysis
        self.confusion.clearContents()
        if analysis is None:
            self.summary.setText("")
            fill_table(self.populations, [])
            return
        v = analysis.report["validation"]
        base = v.get("baseline") or {}
        lines = [f"Validation: {v['n']:,} places, accuracy {pct(v['accuracy'])}"
                 + (f" (baseline {pct(base.get('accuracy'))})" if base.get("accuracy") is not None
                    else "")]
        for c in CLASSES:
            pc = v["per_class"][c]
            lines.append(f"{c}: precision {fmt(pc['precision'])}, recall {fmt(pc['recall'])}, "
                         f"support {pc['support']}")
        self.summary.setText("\n".join(lines))
        most = max([v["confusion"][g][p] for g in CLASSES for p in CLASSES] or [0])
        for i, g in enumerate(CLASSES):
            row_total = sum(v["confusion"][g].values())
            for j, p in enumerate(CLASSES):
                n = v["confusion"][g][p]
                cell = item(f"{n:,}", n, tooltip=f"given {g}, predicted {p}: {n} places "
                            f"({pct(n / row_total) if row_total else '–'} of given {g})")
                # diagonal cells green by count, errors red: the eye goes to the errors
                strength = n / most if most else 0.0
                cell.setBackground(QColor(int(255 - 120 * strength), 255, int(255 - 120 * strength))
                                   if i == j else rate_color(1.0 if n else 0.0))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.confusion.setItem(i, j, cell)
        fix = analysis.report.get("fix_loop")
        if fix:
            self.summary.setText(self.summary.text() + f"\nBefore → after: run "
                                 f"{fix['before_run_id']} → run {fix['after_run_id']}, whole "
                                 f"fleet {before_after_text(fix['fleet'].get('model'))} "
                                 "out-of-fold errors (per population on the right)")
        self._fill_populations(v.get("by_population") or {}, fix)

    def _fill_populations(self, by_pop: dict, fix: Optional[dict]) -> None:
        changes = {(p["column"], p["value"]): p for p in (fix or {}).get("populations", [])}
        rows = []
        for column, slices in sorted((by_pop.get("metadata") or {}).items()):
            for s in slices:
                rows.append(self._population_row(column, s["value"], s["value"], s,
                                                 changes.get((column, s["value"]))))
        for s in by_pop.get("schedule") or []:
            rows.append(self._population_row("schedule", s.get("description") or s["value"],
                                             s["value"], s, None))
        fill_table(self.populations, rows)
        # long slice descriptions would push the before/after columns out of sight
        self.populations.setColumnWidth(1, min(self.populations.columnWidth(1), 200))

    @staticmethod
    def _population_row(column: str, shown: str, key: str, s: dict,
                        change: Optional[dict]) -> list:
        acc, oof = s.get("accuracy"), s.get("oof_accuracy")
        first = item(column)
        first.setData(POPULATION_KEY, (column, key))
        model, base = (change or {}).get("model"), (change or {}).get("baseline")
        return [first, item(shown), item(fmt(s["n"]), s["n"]),
                item(pct(acc), acc, background=rate_color(None if acc is None else 1 - acc, 0.3)),
                item(fmt(s["oof_n"]), s["oof_n"]),
                item(pct(oof), oof, background=rate_color(None if oof is None else 1 - oof, 0.3)),
                item(before_after_text(model), (model or {}).get("error_rate_change")),
                item(before_after_text(base), (base or {}).get("error_rate_change"))]

    def choose_population(self, row: int) -> list[str]:
        """The labelled places of the clicked population row (validation and out-of-fold)."""
        cell = self.populations.item(row, 0)
        if self.analysis is None or cell is None or cell.data(POPULATION_KEY) is None:
            return []
        column, key = cell.data(POPULATION_KEY)
        ids = self.analysis.places_of("validation", ("population", column, key))
        shown = self.populations.item(row, 1).text()
        self.state.show_places(ids, f"labelled places of {column} = {shown}")
        return ids

    def choose_cell(self, row: int, column: int) -> list[str]:
        """The validation places of one confusion cell (the rows validation_report counts)."""
        if self.analysis is None:
            return []
        given, predicted = CLASSES[row], CLASSES[column]
        ids = self.analysis.places_of("validation", ("confusion", given, predicted))
        self.state.show_places(ids, f"validation, given {given}, predicted {predicted}")
        return ids
