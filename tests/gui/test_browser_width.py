"""Vehicle ids longer than the demo's (another fleet's 'depot-north/unit-000123') must not push
the places table's Predicted column out of the pane in a 1280 x 800 window: the pane widens
to fit its first four columns, up to 40% of the central area. Found on an alt-generator fleet
('ALT-0000:0'), where Predicted showed as 'wo' / 'ho' / 'ot'."""
from __future__ import annotations

import foreign_fleet as ff
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from auditor.ingest.api import ingest_paths
from auditor.pipeline.api import infer_project
from auditor.state.place_table import COL

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def long_ids(tmp_path_factory):
    d = tmp_path_factory.mktemp("long-ids")
    vehicles = ff.commuters(4, ids=[f"depot-north/unit-00012{i}" for i in range(4)])
    pings = ff.fleet(vehicles, 4)
    pings.assign(timestamp=ff.iso_z(pings["ts"]))[["vehicle_id", "timestamp", "lat", "lon"]] \
        .to_csv(d / "pings.csv", index=False)
    ff.labels_for(vehicles).to_csv(d / "labels.csv", index=False)
    project = d / "p.db"
    ingest_paths(project, [d / "pings.csv", d / "labels.csv"])
    infer_project(project)
    return project


def test_the_places_pane_widens_until_predicted_shows(qtbot, window, long_ids):
    window.resize(1280, 800)
    window.open_project(long_ids)
    table = window.browser.table
    qtbot.waitUntil(lambda: table.model() is not None and table.model().rowCount() > 0)
    header = table.horizontalHeader()
    right = (header.sectionViewportPosition(COL["predicted_label"])
             + header.sectionSize(COL["predicted_label"]))
    assert right <= table.viewport().width()
    browser, rest = window.main_split.sizes()
    assert browser <= 0.4 * (browser + rest) + 1
    # the ids really are long: sized to their text the columns would not fit even 40%
    model = table.model()
    first = model.index(0, COL["place_id"])
    full = table.fontMetrics().horizontalAdvance(model.data(first))
    assert full > header.sectionSize(COL["place_id"])
    assert model.data(first, Qt.ItemDataRole.ToolTipRole) == model.data(first)  # whole id


@pytest.fixture(scope="module")
def plate_ids(tmp_path_factory):
    """A Japanese fleet's vehicles under their number plates: one prefix, different ends."""
    d = tmp_path_factory.mktemp("plates")
    vehicles = ff.commuters(3, ids=[f"八王子 530 ゆ 02-{i:02d}" for i in (9, 29, 61)])
    pings = ff.fleet(vehicles, 4)
    pings.assign(timestamp=ff.iso_z(pings["ts"]))[["vehicle_id", "timestamp", "lat", "lon"]] \
        .to_csv(d / "pings.csv", index=False)
    project = d / "p.db"
    ingest_paths(project, [d / "pings.csv"])
    infer_project(project)
    return project


def test_plate_ids_elide_in_the_middle_and_keep_their_ends(qtbot, window, plate_ids):
    """Qt's own middle elision broke on mixed scripts: every row of a Japanese fleet read
    '八王... ...'. The cell now shows the id's start and end around one ellipsis, as drawn."""
    window.resize(1280, 800)
    window.open_project(plate_ids)
    table = window.browser.table
    qtbot.waitUntil(lambda: table.model() is not None and table.model().rowCount() > 0)
    model = table.model()
    shown = set()
    for row in range(model.rowCount()):
        index = model.index(row, COL["vehicle_id"])
        option = QStyleOptionViewItem()
        option.initFrom(table)
        option.rect = table.visualRect(index)
        option.widget = table
        table.itemDelegateForIndex(index).initStyleOption(option, index)
        vehicle = model.data(index)
        assert option.text.startswith("八") and option.text.endswith(vehicle[-2:])
        assert option.text == vehicle or "…" in option.text
        assert option.fontMetrics.horizontalAdvance(option.text) < option.rect.width()
        shown.add(option.text)
    assert len(shown) == 3  # the three vehicles told apart
