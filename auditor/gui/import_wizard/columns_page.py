"""Step 2: which column holds which field, and what the import does with every column."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from auditor.errors import UserError
from auditor.gui.import_wizard.common import (
    AUTO,
    FIELD_TIPS,
    KIND_WORDS,
    ONE_VEHICLE,
    FileEntry,
    problem_label,
)
from auditor.gui.text import tip
from auditor.ingest.columns import REQUIRED, missing_fields
from auditor.ingest.columns import USED as FIELDS_BY_KIND
from auditor.ingest.plan import vehicle_of_file
from auditor.ingest.preview import column_roles

if TYPE_CHECKING:
    from auditor.gui.import_wizard.wizard import ImportWizard


class ColumnsPage(QWizardPage):
    """One tab per file: each field the import reads with the column it comes from, and every
    column of the file with what happens to it (read as a field, vehicle metadata, not read)."""

    def __init__(self, wizard: "ImportWizard"):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Which column is which?")
        self.setSubTitle("Columns are found by their names, or else by their values; pick a "
                         "column where the guess is wrong. Fields marked * are required.")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("importColumnTabs")
        self.why = problem_label("importColumnsWhy")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.why)
        self.combos: dict[str, QComboBox] = {}       # of the first file (tests, one-file use)
        self.file_combos: list[dict[str, QComboBox]] = []
        self.roles: list[QLabel] = []
        self.field_labels: list[dict[str, QLabel]] = []

    def initializePage(self) -> None:
        self.tabs.clear()
        self.file_combos, self.roles, self.field_labels = [], [], []
        for i, entry in enumerate(self.wiz.entries):
            if entry.gpx:
                self.file_combos.append({})
                self.roles.append(QLabel())
                self.field_labels.append({})
                continue
            self.tabs.addTab(self._tab(i, entry), f"{entry.path.name} ({entry.kind or '?'})")
        self.combos = next((c for c in self.file_combos if c), {})
        self.completeChanged.emit()

    def _tab(self, i: int, entry: FileEntry) -> QWidget:
        tab = QWidget()
        form = QFormLayout()
        combos: dict[str, QComboBox] = {}
        labels: dict[str, QLabel] = {}
        kind = entry.kind or "vehicles"
        guessed, found = entry.guessed()
        summary = QLabel(f"{entry.path.name} holds {KIND_WORDS[kind]}"
                         + (" (as you said)." if entry.kind_choice else
                            " (guessed from its columns)." if guessed else
                            ": could not tell — go Back to say what it holds."))
        summary.setWordWrap(True)
        for f in FIELDS_BY_KIND[kind]:
            combo = QComboBox()
            combo.setObjectName(f"map_{f}" if i == 0 else f"map_{i}_{f}")
            combo.addItem(AUTO + (f" → {found[f]}" if f in found else " → not found"), None)
            for c in entry.columns:
                combo.addItem(c, c)
            if f == "vehicle_id" and kind in ("pings", "labels"):
                combo.addItem(f"({ONE_VEHICLE}: {vehicle_of_file(entry.path)})", ONE_VEHICLE)
            if f in entry.column_map:
                combo.setCurrentIndex(combo.findData(entry.column_map[f]))
            elif f == "vehicle_id" and entry.one_vehicle:
                combo.setCurrentIndex(combo.findData(ONE_VEHICLE))
            combo.setToolTip(tip(FIELD_TIPS.get(f, f)))
            combo.currentIndexChanged.connect(lambda _i, e=entry, f=f, c=combo:
                                              self._picked(e, f, c))
            combos[f] = combo
            label = QLabel(f)
            label.setToolTip(combo.toolTip())
            labels[f] = label
            form.addRow(label, combo)
        roles = QLabel()
        roles.setObjectName("importColumnRoles")
        roles.setWordWrap(True)
        roles.setTextFormat(Qt.TextFormat.PlainText)
        roles.setToolTip(tip("Every column of the file and what the import does with it"))
        self.file_combos.append(combos)
        self.field_labels.append(labels)
        self.roles.append(roles)
        self._show_roles(i)
        layout = QVBoxLayout(tab)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(roles)
        layout.addStretch(1)
        return tab

    def _picked(self, entry: FileEntry, f: str, combo: QComboBox) -> None:
        if f == "vehicle_id":
            entry.one_vehicle = combo.currentData() == ONE_VEHICLE
        if combo.currentData() and combo.currentData() != ONE_VEHICLE:
            entry.column_map[f] = combo.currentData()
        else:
            entry.column_map.pop(f, None)
        self._show_roles(self.wiz.entries.index(entry))
        self.completeChanged.emit()

    def _show_roles(self, i: int) -> None:
        entry = self.wiz.entries[i]
        kind, found = entry.kind or "vehicles", entry.found()
        for f, label in self.field_labels[i].items():
            # required: the import would lack it without it (lat and lon are not, beside a
            # point column; label, lat and lon are not, beside home_/work_ column pairs)
            needed = f in REQUIRED[kind] and f in missing_fields(
                kind, {k: c for k, c in found.items() if k != f})
            label.setText(f + (" *" if needed else ""))
        try:
            roles = column_roles(entry.columns, entry.kind or "vehicles", entry.found())
        except UserError as exc:
            self.roles[i].setText(str(exc))
            return
        self.roles[i].setText("Every column and what the import does with it:\n" + "\n".join(
            f"  {c} → {role}" for c, role in roles))

    def column_map(self, i: int = 0) -> dict[str, str]:
        return dict(self.wiz.entries[i].column_map) if i < len(self.wiz.entries) else {}

    def why_not(self) -> Optional[str]:
        for e in self.wiz.entries:
            why = e.problem()
            if why:
                return why
        return None

    def isComplete(self) -> bool:
        why = self.why_not()
        self.why.setText(why or "")
        return why is None

    def nextId(self) -> int:
        return self.wiz.after_columns()
