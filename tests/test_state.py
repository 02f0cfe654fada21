"""The Qt-free application state on the shared demo project: one current place, events that
say what changed, flags through the analyst's stack, and undo that notices a log changed under
it. Expected values come from SQL on the project, not from the state."""
from types import SimpleNamespace

import pytest

from auditor.audit.flags import FlagSpec, event_log, revoke
from auditor.errors import UserError
from auditor.state.app_state import BROWSER, QUEUE, AppState
from auditor.store import open_project


@pytest.fixture
def state(fresh_demo_project):
    s = AppState(SimpleNamespace(analyst="ana", basemap="none"))
    s.events = []
    for name in ("project_changed", "selection_changed", "subset_changed", "flags_changed",
                 "analysis_changed", "settings_changed"):
        getattr(s, name).connect(lambda *args, name=name: s.events.append((name, args)))
    s.open_project(fresh_demo_project)
    yield s
    s.close_project()


def _names(state):
    names = [n for n, _ in state.events]
    state.events.clear()
    return names


def _two_vehicles(conn):
    return [r[0] for r in conn.execute("SELECT vehicle_id FROM places GROUP BY vehicle_id "
                                       "HAVING COUNT(*) >= 2 ORDER BY vehicle_id LIMIT 2")]


def test_one_current_place_and_what_each_change_says(state):
    conn = state.conn
    assert _names(state) == ["project_changed"] and state.run_id is not None
    v1, v2 = _two_vehicles(conn)
    p1, p1b = [r[0] for r in conn.execute("SELECT place_id FROM places WHERE vehicle_id = ? "
                                          "ORDER BY place_id LIMIT 2", (v1,))]
    assert state.select_place(p1, via=QUEUE)
    assert state.selection.vehicle_id == v1 and state.walk == QUEUE
    (_, (new, old)), = state.events
    assert (old.place_id, new.place_id) == (None, p1)
    state.events.clear()
    state.select_place(p1)                      # the same place again: nothing changes
    assert _names(state) == []
    trip = conn.execute("SELECT trip_id FROM trips WHERE vehicle_id = ? LIMIT 1", (v1,)).fetchone()[0]
    state.select_trip(trip)
    state.select_place(p1b, via=BROWSER)         # same vehicle: the trip stays
    assert state.selection.trip_id == trip and state.walk == BROWSER
    p2 = conn.execute("SELECT place_id FROM places WHERE vehicle_id = ? LIMIT 1", (v2,)).fetchone()[0]
    state.select_place(p2)                       # another vehicle: its trip is not this one
    assert state.selection.vehicle_id == v2 and state.selection.trip_id is None
    assert state.walk == BROWSER                 # a map click keeps the walk
    assert not state.select_place("no-such-place") and state.selection.place_id == p2
    with pytest.raises(UserError, match="not in"):
        state.select_vehicle("V-nope")
    state.select_vehicle(v1)
    assert state.selection.whole_vehicle and state.selection.place_id == min(
        r[0] for r in conn.execute("SELECT place_id FROM places WHERE vehicle_id = ?", (v1,)))
    state.events.clear()
    state.show_places([p2, p1], "two places")
    assert _names(state) == ["subset_changed"] and state.subset.place_ids == (p2, p1)
    state.clear_subset()
    assert state.subset is None and _names(state) == ["subset_changed"]


def test_flags_go_through_the_analysts_stack_and_undo_names_its_flag(state, fresh_demo_project):
    conn = state.conn
    assert state.flag_place("model_wrong") is None   # no current place yet: nothing happens
    place = conn.execute("SELECT place_id FROM places ORDER BY place_id LIMIT 1").fetchone()[0]
    state.select_place(place)
    trip = conn.execute("SELECT trip_id, vehicle_id, start_ts, end_ts FROM trips WHERE "
                        "vehicle_id = ? LIMIT 1", (state.selection.vehicle_id,)).fetchone()
    state.select_trip(trip[0])
    state.events.clear()
    a = state.flag_place("model_wrong", note="odd")
    b = state.flag_trip()
    stored = [(n, args[0].target_kind, args[1]) for n, args in state.events]
    assert stored == [("flags_changed", "place", "flag"), ("flags_changed", "ping_range", "flag")]
    log = event_log(conn).set_index("event_id")
    assert log.loc[a, "note"] == "odd" and log.loc[b, "target_id"] == f"{trip[1]}|{trip[2]}|{trip[3]}"
    # undo names the flag it takes back; the log gets a revocation of the trip's range
    spec = state.undo()
    assert spec == FlagSpec("ping_range", f"{trip[1]}|{trip[2]}|{trip[3]}", "bad_data")
    assert event_log(conn)["revokes"].dropna().astype(int).tolist() == [b]


def test_undo_resyncs_when_the_log_changed_underneath(state, fresh_demo_project):
    conn = state.conn
    first, second = [r[0] for r in conn.execute("SELECT place_id FROM places ORDER BY place_id "
                                                "LIMIT 2")]
    state.select_place(first)
    a = state.flag_place("model_wrong")
    state.select_place(second)
    b = state.flag_place("model_wrong")
    offered = FlagSpec("place", second, "model_wrong")   # what the Edit menu says now
    other = open_project(fresh_demo_project)
    revoke(other, "bob", b)                              # another analyst takes it back
    other.close()
    n_events = len(event_log(conn))
    state.events.clear()
    with pytest.raises(UserError, match="flag log changed"):
        state.undo(expected=offered)
    assert len(event_log(conn)) == n_events              # nothing was done
    assert [(n, args[1]) for n, args in state.events] == [("flags_changed", "resync")]
    # what is left to undo is the first flag, and undoing it revokes exactly that one
    assert state.flag_stack.undo_ids() == [a]
    assert state.undo(expected=FlagSpec("place", first, "model_wrong")).target_id == first
    log = event_log(conn)
    assert log.iloc[-1]["revokes"] == a and log.iloc[-1]["analyst"] == "ana"
    with pytest.raises(UserError):
        state.undo()


def test_no_analyst_no_flag(fresh_demo_project):
    s = AppState(SimpleNamespace(analyst="", basemap="none"))
    s.open_project(fresh_demo_project)
    s.select_place(s.conn.execute("SELECT place_id FROM places LIMIT 1").fetchone()[0])
    with pytest.raises(UserError, match="analyst"):
        s.flag_place("model_wrong")
    s.set_analyst("cy")
    assert s.flag_place("model_wrong") is not None
    s.close_project()


def test_the_basemap_is_the_projects_and_undo_shows_what_it_changed(state, tmp_path):
    other = tmp_path / "other.db"
    open_project(other, create=True).close()
    first = state.project.path
    state.set_basemap("osm")
    assert state.basemap == "osm" and _names(state)[-1] == "settings_changed"
    with pytest.raises(UserError, match="https"):
        state.set_basemap("http://tiles.example.org/{z}/{x}/{y}.png")
    assert state.basemap == "osm"
    state.open_project(other)
    assert state.basemap == "none"           # never inherited from another project
    state.open_project(first)
    assert state.basemap == "osm"            # kept with the project it was chosen for
    said = []
    state.message.connect(said.append)
    a, b = [r[0] for r in state.conn.execute("SELECT place_id FROM places LIMIT 2")]
    state.select_place(a)
    state.flag_place("model_wrong")
    state.select_place(b)
    state.undo()
    assert state.selection.place_id == a     # the place the undo changed is current again
    assert said[-1].startswith("Undone: “flag") and "no longer marked model wrong" in said[-1]
    state.close_project()
    assert state.basemap == "none"
    with pytest.raises(UserError, match="open a project"):
        state.set_basemap("osm")


def test_flags_written_by_another_connection_are_noticed_and_ones_own_are_not(state):
    """Another window or process (here a second connection, as `auditor flags --import` or a
    terminal review would be) adds flag events: the next look says so once, the undo stack
    re-reads the log and views are told to resync; the state's own flags never count."""
    from auditor.audit.flags import add_flag
    from auditor.audit.review import review_flag
    conn = state.conn
    place = conn.execute("SELECT place_id FROM places ORDER BY place_id LIMIT 1").fetchone()[0]
    other = conn.execute("SELECT place_id FROM places ORDER BY place_id DESC LIMIT 1").fetchone()[0]
    messages = []
    state.message.connect(messages.append)
    assert state.check_outside() is False
    state.select_place(place)
    mine = state.flag_place("model_wrong")
    _names(state)
    assert state.check_outside() is False and messages == []   # one's own flag is no news
    second = open_project(state.project.path)
    try:
        theirs = add_flag(second, "bob", "place", other, "label_wrong", "work")
        assert state.check_outside() is True
        assert state.events == [("flags_changed", (None, "resync"))]
        state.events.clear()
        assert "another window or process" in messages[-1]
        assert state.check_outside() is False                  # said once
        # their review of my flag, and my flag in the same interval: noticed, mine included
        review_flag(second, "bob", mine, "reject")
        state.flag_place("bad_data")
        assert state.check_outside() is True
        # the undo stack saw their events: undo takes back my last flag, not theirs
        undone = state.undo()
        assert undone.action == "bad_data"
        assert theirs in set(event_log(conn)["event_id"])
    finally:
        second.close()


def test_a_run_stored_by_another_process_is_shown_with_the_same_vehicle(state):
    """`auditor infer` in a terminal while the window is open replaces the places it shows: the
    next look opens the project again on the new run, the same vehicle current."""
    from auditor.pipeline.api import infer_project
    from auditor.store.queries import latest_run_id
    conn = state.conn
    v1, v2 = _two_vehicles(conn)
    state.select_vehicle(v2)
    before = state.run_id
    messages = []
    state.message.connect(messages.append)
    assert state.check_outside() is False
    infer_project(state.project.path)          # its own connection, as another process
    _names(state)
    assert state.check_outside() is True
    assert state.run_id == latest_run_id(state.conn) > before
    assert state.selection.vehicle_id == v2
    assert "project_changed" in _names(state)
    assert messages[-1].startswith(f"Run {state.run_id} was stored by another")
    assert state.check_outside() is False
