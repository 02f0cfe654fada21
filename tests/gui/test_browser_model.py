"""The lazy place table: pages, SQL sorting / filtering / search, flag column."""
import pytest
from PySide6.QtCore import Qt

from auditor.audit.flags import add_flag
from auditor.gui.views import browser_model
from auditor.gui.views.browser_model import COL, PlaceTableModel
from auditor.store import open_project
from auditor.store.queries import latest_run_id


@pytest.fixture
def conn(fresh_demo_project):
    c = open_project(fresh_demo_project)
    yield c
    c.close()


def _natural(place_id):
    """An independent natural order: vehicle id, then the place's number ('v:2' < 'v:10')."""
    vehicle, _, n = place_id.rpartition(":")
    return vehicle, int(n)


def _rows(m):
    return [m.place_at(i) for i in range(m.rowCount())]


def test_rows_are_read_page_by_page_on_demand(conn, monkeypatch, qtbot):
    monkeypatch.setattr(browser_model, "PAGE_SIZE", 40)
    monkeypatch.setattr(browser_model, "MAX_CACHED_PAGES", 2)
    total = conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]
    assert total > 120
    m = PlaceTableModel(conn, latest_run_id(conn))
    assert m.total == total and m.rowCount() == total and m.pages_fetched == 0
    first = m.place_at(0)["place_id"]
    assert m.pages_fetched == 1 and m.place_at(39)["place_id"] != first and m.pages_fetched == 1
    last = max((r[0] for r in conn.execute("SELECT place_id FROM places")), key=_natural)
    row = m.row_of(last)  # the id index finds its position; only the page holding it is read
    assert row == total - 1 and m.place_at(row)["place_id"] == last
    assert m.pages_fetched == 2
    m.place_at(45)  # a third page evicts the least recently used one (page 0)
    assert m.pages_fetched == 3 and len(m._pages) == 2
    assert m.place_at(0)["place_id"] == first and m.pages_fetched == 4
    in_order = sorted((r[0] for r in conn.execute("SELECT place_id FROM places")), key=_natural)
    assert [r["place_id"] for r in _rows(m)] == in_order
    assert m.data(m.index(total - 1, COL["place_id"])) == last
    with pytest.raises(IndexError):
        m.place_at(total)


def test_row_of_follows_sort_and_filter(conn, monkeypatch, qtbot):
    # small pages: the mismatches (fewer since a test split took training vehicles) span several
    monkeypatch.setattr(browser_model, "PAGE_SIZE", 2)
    m = PlaceTableModel(conn, latest_run_id(conn), filter_key="mismatches")
    m.sort(COL["confidence"], Qt.SortOrder.AscendingOrder)
    run = latest_run_id(conn)
    order = [r[0] for r in conn.execute(
        "SELECT place_id FROM predictions WHERE run_id = ? AND given_label IS NOT NULL AND "
        "given_label != predicted_label ORDER BY MAX(p_home, p_work, p_other), vehicle_id, "
        "length(place_id), place_id", (run,))]
    assert len(order) > 2 * 2 and m.place_ids() == order
    target = order[-2]
    assert m.row_of(target) == len(order) - 2 and m.place_at(len(order) - 2)["place_id"] == target
    matched = conn.execute("SELECT place_id FROM predictions WHERE given_label = predicted_label "
                           "LIMIT 1").fetchone()[0]
    assert m.row_of(matched) is None  # filtered out


def test_a_place_deleted_after_the_index_shows_as_an_empty_row(conn, monkeypatch, qtbot):
    monkeypatch.setattr(browser_model, "PAGE_SIZE", 10)
    m = PlaceTableModel(conn, latest_run_id(conn))
    gone = m.place_ids()[15]
    conn.execute("DELETE FROM predictions WHERE place_id = ?", (gone,))
    conn.execute("DELETE FROM places WHERE place_id = ?", (gone,))
    assert m.data(m.index(15, COL["place_id"])) is None
    assert m.place_at(16)["place_id"] == m.place_ids()[16]


def test_sort_filter_and_search_happen_in_sql(conn, qtbot):
    run = latest_run_id(conn)
    m = PlaceTableModel(conn, run)
    m.sort(COL["confidence"], Qt.SortOrder.DescendingOrder)
    conf = [r["confidence"] for r in _rows(m)]
    assert conf == sorted(conf, reverse=True)

    m.set_filter("mismatches")
    expected = conn.execute("SELECT COUNT(*) FROM predictions WHERE run_id = ? AND given_label "
                            "IS NOT NULL AND given_label != predicted_label", (run,)).fetchone()[0]
    assert m.total == expected > 0
    assert all(r["given_label"] and r["given_label"] != r["predicted_label"] for r in _rows(m))

    m.set_filter("unlabelled")
    assert m.total > 0 and all(r["given_label"] is None for r in _rows(m))

    m.set_filter("all")
    m.set_prefix("V00003")
    assert m.total > 0 and {r["vehicle_id"] for r in _rows(m)} == {"V00003"}
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
    assert [r["place_id"] for r in _rows(m)] == [pid]


def test_a_flagged_vehicle_shows_on_its_places_rows(conn, qtbot):
    m = PlaceTableModel(conn, latest_run_id(conn))
    vid = m.place_at(0)["vehicle_id"]
    add_flag(conn, "ana", "vehicle", vid, "bad_data", None)
    m.reload()
    assert m.place_at(0)["flags"] == "vehicle bad data"
    other = next(i for i in range(m.rowCount()) if m.place_at(i)["vehicle_id"] != vid)
    assert m.place_at(other)["flags"] == ""


def test_row_of_a_place_on_a_page_already_read_needs_no_full_index(conn, monkeypatch, qtbot):
    """Opening a project selects its first row: that must not read every place id (~1 s on a
    5,000-vehicle fleet) before the window's first paint."""
    monkeypatch.setattr(browser_model, "PAGE_SIZE", 10)
    m = PlaceTableModel(conn, latest_run_id(conn))
    third = m.place_at(3)["place_id"]
    assert m.row_of(third) == 3
    assert m._ids is None  # answered from the page, no index query
    far = m.place_ids()[25]  # builds the index on purpose
    assert m.row_of(far) == 25


def test_a_vehicles_places_are_in_natural_order(conn, qtbot):
    """Driving the app on an AIS fleet (60 places a vessel): 'v:0, v:1, v:10, v:11, … v:2' —
    place ids sorted as text. Natural order by the place's number, both ways."""
    vehicle = conn.execute("SELECT vehicle_id FROM places GROUP BY vehicle_id "
                           "ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    have = conn.execute("SELECT COUNT(*) FROM places WHERE vehicle_id = ?", (vehicle,)).fetchone()[0]
    # a vehicle with places 0..11 (extra ones made here if the fleet has fewer): two digits
    conn.executemany("INSERT INTO places (place_id, vehicle_id, lat, lon, n_stops) "
                     "VALUES (?, ?, 52.5, 13.4, 1)",
                     [(f"{vehicle}:{i}", vehicle) for i in range(have, 12)])
    conn.commit()
    m = PlaceTableModel(conn, latest_run_id(conn))
    mine = [r["place_id"] for r in _rows(m) if r["vehicle_id"] == vehicle]
    assert mine == [f"{vehicle}:{i}" for i in range(max(have, 12))]
    m.sort(COL["place_id"], Qt.SortOrder.DescendingOrder)
    every = [r["place_id"] for r in _rows(m)]
    assert every == sorted(every, key=_natural, reverse=True)
