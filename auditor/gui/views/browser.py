"""The left pane: filter, vehicle-id search and the lazy place table. It shows the state's
current place and, while an analysis view picked some places, exactly those."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from auditor.gui.text import tip
from auditor.gui.views.browser_model import COL, FILTERS, PlaceTableModel
from auditor.state.app_state import BROWSER, AppState, PlaceSubset, Selection

ID_COLUMN_MAX = 110  # px: wider vehicle / place ids elide in the middle (Given and Predicted
# take ~150 more: together they fit the 40% a 1280-pixel window's places pane may widen to)


class MiddleElide(QStyledItemDelegate):
    """A cell's text elided in the middle by its font's metrics, so an id's end still tells
    it apart. The view's own ElideMiddle breaks on text of mixed scripts: '八王子 530 ゆ 02-09'
    came out '八王... ...', every vehicle of a Japanese fleet alike."""

    def initStyleOption(self, option: QStyleOptionViewItem, index) -> None:
        super().initStyleOption(option, index)
        if option.rect.width() <= 0:  # measuring (sizeHint): the whole text
            return
        style = option.widget.style() if option.widget is not None else None
        margin = (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, option.widget)
                  if style is not None else 2) + 1
        # the style's text rectangle is a few pixels narrower still; what does not fit is
        # clipped, not elided a second time by the style
        option.text = option.fontMetrics.elidedText(option.text, Qt.TextElideMode.ElideMiddle,
                                                     option.rect.width() - 2 * margin - 4)
        option.textElideMode = Qt.TextElideMode.ElideNone


class PlaceBrowser(QWidget):
    """Rows are ordered by vehicle by default, so a vehicle's places sit together; selecting
    any of them makes it the current place."""

    # the width its first columns need (sized to the first page's contents): vehicle ids longer
    # than the demo's would otherwise push Predicted out of a 1280-pixel window's pane
    wants_width = Signal(int)

    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.model: Optional[PlaceTableModel] = None
        self.initial_selection_pending = False  # the first row is selected after first paint
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
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # an id's end tells them apart
        self.id_elide = MiddleElide(self.table)
        for key in ("vehicle_id", "place_id"):
            self.table.setItemDelegateForColumn(COL[key], self.id_elide)
        self.table.verticalHeader().setDefaultSectionSize(22)
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
        self.subset_clear.clicked.connect(state.clear_subset)
        self.subset_bar = QWidget()
        bar = QHBoxLayout(self.subset_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.subset_label, 1)
        bar.addWidget(self.subset_clear)
        self.subset_bar.hide()
        # said when the current place is not among the rows (a filter, a search, a subset):
        # a filter that hides what the analyst is looking at is never silently on
        self.hidden_label = QLabel()
        self.hidden_label.setObjectName("browserHidden")
        self.hidden_label.setTextFormat(Qt.TextFormat.PlainText)
        self.hidden_label.setWordWrap(True)
        self.hidden_label.setStyleSheet("color: #8a4b00")
        self.hidden_clear = QPushButton("Show it")
        self.hidden_clear.setObjectName("browserHiddenClear")
        self.hidden_clear.setToolTip("Clear the filter, the search and the analysis' list so "
                                     "the current place shows in the table")
        self.hidden_clear.clicked.connect(self.reveal_current)
        self.hidden_bar = QWidget()
        hb = QHBoxLayout(self.hidden_bar)
        hb.setContentsMargins(0, 0, 0, 0)
        hb.addWidget(self.hidden_label, 1)
        hb.addWidget(self.hidden_clear)
        self.hidden_bar.hide()
        self.filter_combo.setToolTip("Which places the table lists")
        self.search.setToolTip("Only vehicles whose id starts with this; Enter selects the "
                               "first of them")

        top = QHBoxLayout()
        top.addWidget(self.filter_combo)
        top.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.subset_bar)
        layout.addWidget(self.hidden_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self.filter_combo.currentIndexChanged.connect(self._filter_changed)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self.select_first_row)
        state.project_changed.connect(self._project_changed)
        state.selection_changed.connect(self._selection_changed)
        state.subset_changed.connect(self._subset_changed)
        state.flags_changed.connect(self._flags_changed)

    # --- following the state -------------------------------------------------------------
    def _project_changed(self, project) -> None:
        self.subset_bar.hide()
        self.hidden_bar.hide()
        self.initial_selection_pending = False
        if project is None:
            self.table.setModel(None)
            self.model = None
            self.count_label.setText("")
            return
        self.model = PlaceTableModel(project.conn, project.run_id, self,
                                     filter_key=self.filter_combo.currentData(),
                                     prefix=self.search.text())
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSortIndicator(COL["vehicle_id"], Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # size columns from the first 50 rows (one page): the default samples 1,000 rows, which
        # would read five pages and the id index before the first paint
        header.setResizeContentsPrecision(50)
        self.table.resizeColumnsToContents()
        for key in ("vehicle_id", "place_id"):  # long ids elide in the middle (tooltip: whole)
            column = COL[key]
            header.resizeSection(column, min(header.sectionSize(column), ID_COLUMN_MAX))
        self.wants_width.emit(self.needed_width())
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.model.modelReset.connect(self._update_count)
        self._update_count()
        if self.model.rowCount():
            # the table and panels paint first; the first vehicle follows on the next turn of
            # the event loop (unless something else was selected by then)
            self.initial_selection_pending = True
            QTimer.singleShot(0, self._select_initial)

    def needed_width(self) -> int:
        """Pixels this pane needs to show the columns up to Predicted as sized (the rest
        scroll: Confidence, Split, Flags), the table's frame and scroll bar, its margins."""
        header = self.table.horizontalHeader()
        columns = sum(header.sectionSize(i) for i in range(COL["predicted_label"] + 1))
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        margins = self.layout().contentsMargins() if self.layout() is not None else None
        return columns + frame + (margins.left() + margins.right() if margins else 0)

    def _select_initial(self) -> None:
        self.initial_selection_pending = False
        if self.model is not None and self.state.selection.vehicle_id is None:
            # the whole first vehicle on the map (no popup panning it away); row 0 selected
            self.state.select_place(self.model.place_at(0)["place_id"], via=BROWSER,
                                    whole_vehicle=True)

    def _selection_changed(self, new: Selection, old: Selection) -> None:
        if new.place_id is not None and new.place_id != old.place_id:
            self.show_place(new.place_id)

    def _subset_changed(self, subset: Optional[PlaceSubset]) -> None:
        if subset is None:
            self._clear_subset()
        else:
            self._show_subset(list(subset.place_ids), subset.description)

    def _flags_changed(self, spec, op) -> None:
        if self.model is None:
            return
        if spec is not None and spec.target_kind == "place":
            self.model.refresh_flags([spec.target_id])
        else:  # a vehicle, a ping range, a resync: every row read so far
            self.model.refresh_flags()

    def _update_count(self, *args) -> None:
        if self.model is None:
            return
        if self.model.total == 0:
            self.count_label.setText("No places match. Run inference, or change the filter.")
        else:
            self.count_label.setText(f"{self.model.total:,} places")

    # --- analysis subsets ---------------------------------------------------------------------
    def _show_subset(self, place_ids: list[str], description: str) -> None:
        """Show exactly ``place_ids`` (filter and search reset so none is hidden) and make the
        first row the current place."""
        if self.model is None:
            return
        for w, reset in ((self.filter_combo, lambda: self.filter_combo.setCurrentIndex(0)),
                         (self.search, self.search.clear)):
            w.blockSignals(True)
            reset()
            w.blockSignals(False)
        self.model.query.filter_key, self.model.query.prefix = "all", ""
        self.model.set_subset(place_ids)
        self._sort_indicator()
        short = description if len(description) <= 72 else description[:70].rstrip() + "…"
        self.subset_label.setText(f"{len(place_ids):,} places — {short}")
        self.subset_label.setToolTip(tip(f"{len(place_ids):,} places: {description}"))
        self.subset_bar.show()
        if self.model.rowCount() == 0:
            self.state.message.emit(f"No places: {description}")
            return
        self.select_first_row()

    def _clear_subset(self) -> None:
        self.subset_bar.hide()
        if self.model is not None and self.model.subset is not None:
            self.model.set_subset(None)
            self._sort_indicator()
            if self.state.selection.place_id is not None:
                self.show_place(self.state.selection.place_id)

    def _sort_indicator(self) -> None:
        """The header shows the model's sort: none while a subset keeps its own order."""
        header = self.table.horizontalHeader()
        q = self.model.query
        header.blockSignals(True)  # the model is sorted already: no second query
        if q.sort_column is None:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        else:
            header.setSortIndicator(q.sort_column, Qt.SortOrder.DescendingOrder if q.descending
                                    else Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
        header.viewport().update()

    def restrictions(self) -> list[str]:
        """What keeps places out of the table now, in words (empty: it lists every place)."""
        if self.model is None:
            return []
        out = []
        q = self.model.query
        if q.subset is not None:
            out.append(f"the list “{self.subset_label.text()}”")
        if q.filter_key != "all":
            out.append(f"the filter “{self.filter_combo.currentText()}”")
        if q.prefix:
            out.append(f"the search “{q.prefix}”")
        return out

    def reveal_current(self) -> None:
        """Clear what hides the current place, then show its row."""
        for w, reset in ((self.filter_combo, lambda: self.filter_combo.setCurrentIndex(0)),
                         (self.search, self.search.clear)):
            w.blockSignals(True)
            reset()
            w.blockSignals(False)
        if self.model is not None:
            self.model.query.filter_key, self.model.query.prefix = "all", ""
            self.model.reload()
        self.state.clear_subset()  # reloads and shows the place when a subset was on
        if self.state.selection.place_id is not None:
            self.show_place(self.state.selection.place_id)

    def shown_place_ids(self) -> list[str]:
        """Every place id the table shows now, in display order."""
        return [] if self.model is None else self.model.place_ids()

    def _filter_changed(self) -> None:
        if self.model is not None:
            self.model.set_filter(self.filter_combo.currentData())
            self._recheck()

    def _search_changed(self, text: str) -> None:
        if self.model is not None:
            self.model.set_prefix(text)
            self._recheck()

    def _recheck(self) -> None:
        """After the rows changed: the current place's row again, or why it is not there."""
        place = self.state.selection.place_id
        if place is not None:
            self.show_place(place)
        else:
            self.hidden_bar.hide()

    def _row_changed(self, current, _previous) -> None:
        if self.model is None or not current.isValid():
            return
        row = self.model.place_at(current.row())
        self.state.select_place(row["place_id"], via=BROWSER)

    # --- navigation -------------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        """Make ``row`` current (which makes its place the current place)."""
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

    def select_next_row(self) -> bool:
        """N in the browser: the row after the current place's (the first when it has none)."""
        if self.model is None:
            return False
        place = self.state.selection.place_id
        row = self.model.row_of(place) if place is not None else None
        nxt = 0 if row is None else row + 1
        if nxt >= self.model.rowCount():
            return False
        self.select_row(nxt)
        return True

    def show_place(self, place_id: str) -> bool:
        """Highlight ``place_id``'s row without making a new selection (False, and no row
        highlighted, when the table does not show it)."""
        if self.model is None:
            return False
        row = self.model.row_of(place_id)
        if row is None:
            self.table.selectionModel().blockSignals(True)
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
            self.table.selectionModel().blockSignals(False)
            why = self.restrictions()
            self.hidden_label.setText(
                f"The current place {place_id} is not in this table: "
                + (" and ".join(why) if why else "it is not in this run") + " leaves it out.")
            self.hidden_clear.setVisible(bool(why))
            self.hidden_bar.show()
            return False
        self.hidden_bar.hide()
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
