"""The lazy place table: pages, SQL sorting / filtering / search, flag column."""
import pytest
from PySide6.QtCore import QModelIndex, Qt

from auditor.audit.flags import add_flag
from auditor.gui import browser_model
from auditor.gui.browser_model import COL, PlaceTableModel
from auditor.store import open_project
from auditor.store.queries import latest_run_id


@pytest.fixture
def conn(fresh_demo_project):
    c = open_project(fresh_demo_project)
    yield c
    c.close()


def test_rows_arrive_in_pages(conn, monkeypatch, qtbot):
    monkeypatch.setattr(browser_model, "PAGE_SIZE", 40)
    total = conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]
    assert total > 80
    m = PlaceTableModel(conn, latest_run_id(conn))
    assert m.total == total
    assert m.rowCount() == 40 and m.pages_fetched == 1 and m.canFetchMore(QModelIndex())
    m.fetchMore(QModelIndex())
    assert m.rowCount() == 80 and m.pages_fetched == 2
    last = conn.execute("SELECT place_id FROM places ORDER BY vehicle_id DESC, place_id DESC "
                        "LIMIT 1").fetchone()[0]
    row = m.row_of(last)  # one query finds its position, one fetch loads the rows up to it
    assert row == total - 1 and m.place_at(row)["place_id"] == last
    assert m.pages_fetched == 3 and not m.canFetchMore(QModelIndex())


def test_row_of_follows_sort_and_filter(conn, monkeypatch, qtbot):
    monkeypatch.setattr(browser_model, "PAGE_SIZE", 10)
    m = PlaceTableModel(conn, latest_run_id(conn), filter_key="mismatches")
    m.sort(COL["confidence"], Qt.SortOrder.AscendingOrder)
    everything = PlaceTableModel(conn, latest_run_id(conn), filter_key="mismatches")
    everything.sort(COL["confidence"], Qt.SortOrder.AscendingOrder)
    while everything.canFetchMore(QModelIndex()):
        everything.fetchMore(QModelIndex())
    order = [r["place_id"] for r in everything.rows]
    assert len(order) > 10
    target = order[-2]
    assert m.row_of(target) == len(order) - 2
    matched = conn.execute("SELECT place_id FROM predictions WHERE given_label = predicted_label "
                           "LIMIT 1").fetchone()[0]
    assert m.row_of(matched) is None  # filtered out


def test_sort_filter_and_search_happen_in_sql(conn, qtbot):
    run = latest_run_id(conn)
    m = PlaceTableModel(conn, run)
    m.sort(COL["confidence"], Qt.SortOrder.DescendingOrder)
    conf = [r["confidence"] for r in m.rows]
    assert conf == sorted(conf, reverse=True)

    m.set_filter("mismatches")
    expected = conn.execute("SELECT COUNT(*) FROM predictions WHERE run_id = ? AND given_label "
                            "IS NOT NULL AND given_label != predicted_label", (run,)).fetchone()[0]
    assert m.total == expected > 0
    assert all(r["given_label"] and r["given_label"] != r["predicted_label"] for r in m.rows)

    m.set_filter("unlabelled")
    assert m.total > 0 and all(r["given_label"] is None for r in m.rows)

    m.set_filter("all")
    m.set_prefix("V00003")
    assert m.total > 0 and {r["vehicle_id"] for r in m.rows} == {"V00003"}
    m.set_prefix("V0000%' OR 1=1 --")  # data, not SQL
    assert m.total == 0 and m.rowCount() == 0


def test_flag_column_and_flagged_filter(conn, qtbot):
    m = PlaceTableModel(conn, latest_run_id(conn))
    pid = m.place_at(2)["place_id"]
    assert m.data(m.index(2, COL["flags"])) == ""
    add_flag(conn, "ana", "place", pid, "label_wrong", "work")
    m.refresh_flags([pid])
    assert m.data(m.index(2, COL["flags"])) == "label→work"
    m.sort(COL["flags"], Qt.SortOrder.DescendingOrder)
    assert m.place_at(0)["place_id"] == pid and m.place_at(0)["flags"] == "label→work"
    m.set_filter("flagged")
    assert [r["place_id"] for r in m.rows] == [pid]
