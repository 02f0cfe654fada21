"""The left pane: filter, vehicle-id search and the lazy place table."""
from __future__ import annotations

import sqlite3
from typing import Optional

from PySide6.QtCore import (QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, QTimer,
                            Signal)
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from auditor.gui.browser_model import COL, FILTERS, PlaceTableModel


class PlaceBrowser(QWidget):
    """Rows are ordered by vehicle by default, so a vehicle's places sit together; selecting
    any of them shows that vehicle."""
    placeSelected = Signal(str, str)  # vehicle_id, place_id

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model: Optional[PlaceTableModel] = None
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("browserFilter")
        for key, (label, _sql) in FILTERS.items():
            self.filter_combo.addItem(label, key)
        self.search = QLineEdit()
        self.search.setObjectName("browserSearch")
        self.search.setPlaceholderText("Vehicle id starts with…  (Enter: go to vehicle)")
        self.search.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setObjectName("browserTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.count_label = QLabel()
        self.count_label.setObjectName("browserCount")
        # shown while an analysis view restricts the table to its places
        self.subset_label = QLabel()
        self.subset_label.setObjectName("browserSubset")
        self.subset_label.setTextFormat(Qt.TextFormat.PlainText)
        self.subset_label.setWordWrap(True)
        self.subset_clear = QPushButton("Show all")
        self.subset_clear.setObjectName("browserSubsetClear")
        self.subset_clear.clicked.connect(self.clear_subset)
        self.subset_bar = QWidget()
        bar = QHBoxLayout(self.subset_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.subset_label, 1)
        bar.addWidget(self.subset_clear)
        self.subset_bar.hide()
        self.subset_description = ""

        top = QHBoxLayout()
        top.addWidget(self.filter_combo)
        top.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.subset_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self.filter_combo.currentIndexChanged.connect(self._filter_changed)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self.select_first_row)

    def set_connection(self, conn: Optional[sqlite3.Connection], run_id: Optional[int]) -> None:
        self._hide_subset()
        if conn is None:
            self.table.setModel(None)
            self.model = None
            self.count_label.setText("")
            return
        self.model = PlaceTableModel(conn, run_id, self, filter_key=self.filter_combo.currentData(),
                                     prefix=self.search.text())
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(COL["vehicle_id"], Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # size columns from the first 50 rows (one page): the default samples 1,000 rows, which
        # would read five pages and the id index before the first paint
        header.setResizeContentsPrecision(50)
        self.table.resizeColumnsToContents()
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.model.modelReset.connect(self._update_count)
        self._update_count()

    def _update_count(self, *args) -> None:
        if self.model is None:
            return
        m = self.model
        if m.total == 0:
            self.count_label.setText("No places match. Run inference, or change the filter.")
        else:
            self.count_label.setText(f"{m.total:,} places")

    # --- analysis subsets ---------------------------------------------------------------------
    def show_subset(self, place_ids: list[str], description: str) -> bool:
        """Show exactly ``place_ids`` (filter and search reset so none is hidden) and select the
        first row, which selects it on the map. False when there is nothing to show."""
        if self.model is None:
            return False
        for w, reset in ((self.filter_combo, lambda: self.filter_combo.setCurrentIndex(0)),
                         (self.search, self.search.clear)):
            w.blockSignals(True)
            reset()
            w.blockSignals(False)
        self.model.filter_key, self.model.prefix = "all", ""
        self.subset_description = description
        self.model.set_subset(list(place_ids))
        self.subset_label.setText(f"{len(place_ids):,} places: {description}")
        self.subset_bar.show()
        if self.model.rowCount() == 0:
            return False
        self.select_first_row()
        return True

    def clear_subset(self) -> None:
        self._hide_subset()
        if self.model is not None and self.model.subset is not None:
            current = self.current_place()
            self.model.set_subset(None)
            if current is not None:
                self.show_place(current["place_id"])

    def _hide_subset(self) -> None:
        self.subset_bar.hide()
        self.subset_description = ""

    def shown_place_ids(self) -> list[str]:
        """Every place id the table shows now, in display order."""
        return [] if self.model is None else self.model.place_ids()

    def _filter_changed(self) -> None:
        if self.model is not None:
            self.model.set_filter(self.filter_combo.currentData())

    def _search_changed(self, text: str) -> None:
        if self.model is not None:
            self.model.set_prefix(text)

    def _row_changed(self, current, _previous) -> None:
        if self.model is None or not current.isValid():
            return
        row = self.model.place_at(current.row())
        self.placeSelected.emit(row["vehicle_id"], row["place_id"])

    # --- navigation -------------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        if self.model is None or not (0 <= row < self.model.rowCount()):
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        # the view lays out a jump far down on the next pass of the event loop: centre it then
        persistent = QPersistentModelIndex(index)
        QTimer.singleShot(0, lambda: persistent.isValid() and self.table.scrollTo(
            QModelIndex(persistent), QAbstractItemView.ScrollHint.PositionAtCenter))

    def select_first_row(self) -> None:
        self.select_row(0)

    def select_next_row(self) -> None:
        if self.model is None:
            return
        current = self.table.selectionModel().currentIndex()
        self.select_row(current.row() + 1 if current.isValid() else 0)

    def show_place(self, place_id: str) -> bool:
        """Select ``place_id``'s row without emitting a new selection if it is already current."""
        if self.model is None:
            return False
        row = self.model.row_of(place_id)
        if row is None:
            self.table.clearSelection()
            return False
        current = self.table.selectionModel().currentIndex()
        if current.isValid() and current.row() == row:
            return True
        self.table.selectionModel().blockSignals(True)
        try:
            self.select_row(row)
        finally:
            self.table.selectionModel().blockSignals(False)
        self.table.viewport().update()
        return True

    def current_place(self) -> Optional[dict]:
        if self.model is None:
            return None
        current = self.table.selectionModel().currentIndex()
        return self.model.place_at(current.row()) if current.isValid() else None
