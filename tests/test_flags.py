"""The flag event log: add, revoke, state, undo/redo across restarts, CSV merge."""
import csv
import json
import sqlite3

import pytest

from auditor.audit.flags import (
    FlagSpec,
    active_flags,
    add_flag,
    event_log,
    flag_state,
    revoke,
)
from auditor.audit.log_csv import export_csv, import_csv
from auditor.audit.undo_stack import FlagStack, describe
from auditor.cli import main
from auditor.errors import UserError
from auditor.store import open_project, transaction


def build_tiny_project(path):
    """Two vehicles, three places, one given label, one trip — inserted by hand."""
    conn = open_project(path)
    with transaction(conn):
        conn.execute("INSERT INTO imports VALUES (1,'pings','p.csv','p.csv','x',1,'',1,1,0,NULL,"
                     "'{}','csv','2026-01-01T00:00:00Z')")
        conn.execute("INSERT INTO vehicles VALUES ('v1', '{}', 1), ('v2', '{}', 1)")
        conn.execute("INSERT INTO pings (vehicle_id, ts, lat, lon, import_id) VALUES "
                     "('v1', 1000, 52.0, 13.0, 1), ('v1', 1600, 52.01, 13.01, 1)")
        conn.execute("INSERT INTO trips VALUES ('v1:t0','v1',1000,1600,2,1300.0,52.0,13.0,"
                     "52.01,13.01,NULL)")
        conn.executemany("INSERT INTO places VALUES (?,?,?,?,?)",
                         [("v1:0", "v1", 52.0, 13.0, 5), ("v1:1", "v1", 52.01, 13.01, 3),
                          ("v2:0", "v2", 48.0, 11.0, 2)])
        conn.execute("INSERT INTO place_labels VALUES ('v1:0','v1','home',1,12.0)")
    return conn


@pytest.fixture
def conn(tmp_path):
    c = build_tiny_project(tmp_path / "p.db")
    yield c
    c.close()


def test_add_records_old_value_and_time(conn):
    e1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work", note="gym, not home")
    e2 = add_flag(conn, "bob", "place", "v1:0", "label_wrong", "other")
    e3 = add_flag(conn, "ana", "place", "v1:1", "label_wrong", "home")
    log = event_log(conn).set_index("event_id")
    assert log.loc[e1, "old_value"] == "home"        # the given label
    assert log.loc[e2, "old_value"] == "work"        # the earlier correction in force
    assert log.loc[e3, "old_value"] == "other"       # no given label
    assert log.loc[e1, "note"] == "gym, not home"
    assert log.loc[e1, "created_at"].endswith("Z") and len(log.loc[e1, "created_at"]) == 20
    revoke(conn, "bob", e2)
    e4 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "other")
    assert event_log(conn).set_index("event_id").loc[e4, "old_value"] == "work"


def test_flag_is_committed_immediately(tmp_path, conn):
    add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    other = sqlite3.connect(tmp_path / "p.db")
    assert other.execute("SELECT COUNT(*) FROM flag_events").fetchone()[0] == 1
    other.close()


def test_trip_is_stored_as_ping_range(conn):
    add_flag(conn, "ana", "trip", "v1:t0", "bad_data")
    row = event_log(conn).iloc[0]
    assert (row["target_kind"], row["target_id"]) == ("ping_range", "v1|1000|1600")


@pytest.mark.parametrize("kind,target,action,value,match", [
    ("place", "v1:0", "label_wrong", None, "corrected label"),
    ("place", "v1:0", "label_wrong", "gym", "corrected label"),
    ("place", "v1:0", "model_wrong", "home", "takes no new value"),
    ("place", "nope:9", "model_wrong", None, "no place"),
    ("vehicle", "v1", "label_wrong", "home", "does not apply"),
    ("vehicle", "v9", "bad_data", None, "no vehicle"),
    ("ping_range", "v1|10", "bad_data", None, "malformed"),
    ("ping_range", "v1|20|10", "bad_data", None, "start <= end"),
    ("trip", "v1:t9", "bad_data", None, "no trip"),
    ("stop", "v1:s0", "bad_data", None, "target kind"),
    ("place", "v1:0", "revoke", None, "does not apply"),
])
def test_bad_flags_raise_user_error_and_write_nothing(conn, kind, target, action, value, match):
    with pytest.raises(UserError, match=match):
        add_flag(conn, "ana", kind, target, action, value)
    assert event_log(conn).empty


def test_empty_analyst_is_refused(conn):
    with pytest.raises(UserError, match="analyst"):
        add_flag(conn, "  ", "place", "v1:0", "model_wrong")


def test_revoke_rules(conn):
    e1 = add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    r1 = revoke(conn, "ana", e1, note="oops")
    rec = event_log(conn).set_index("event_id").loc[r1]
    assert (rec["action"], rec["revokes"], rec["target_id"]) == ("revoke", e1, "v1:0")
    with pytest.raises(UserError, match="already revoked"):
        revoke(conn, "ana", e1)
    with pytest.raises(UserError, match="itself a revocation"):
        revoke(conn, "ana", r1)
    with pytest.raises(UserError, match="no event"):
        revoke(conn, "ana", 999)


def test_active_flags_latest_label_wins_and_undo_restores_previous(conn):
    e1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    e2 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "other")
    add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    add_flag(conn, "ana", "vehicle", "v2", "bad_data")
    act = active_flags(conn)
    labels = act[act["action"] == "label_wrong"]
    assert labels["event_id"].tolist() == [e2]
    assert set(act["action"]) == {"label_wrong", "model_wrong", "bad_data"}
    revoke(conn, "ana", e2)
    act = active_flags(conn)
    assert act.loc[act["action"] == "label_wrong", "event_id"].tolist() == [e1]
    state = flag_state(conn, ["v1:0", "v1:1", "v2:0"])
    assert state == {"v1:0": "label→work, model wrong", "v1:1": "", "v2:0": "vehicle bad data"}


def test_log_is_append_only(conn):
    add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM flag_events")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE flag_events SET note = 'x'")


def test_stack_undo_redo_appends_and_survives_restart(tmp_path, conn):
    stack = FlagStack(conn, "ana")
    assert not stack.can_undo() and not stack.can_redo()
    a = stack.do(FlagSpec("place", "v1:0", "label_wrong", "work"))
    b = stack.do({"target_kind": "place", "target_id": "v1:1", "action": "model_wrong"})
    add_flag(conn, "bob", "place", "v2:0", "model_wrong")      # someone else's flag
    assert stack.undo_ids() == [a, b]
    stack.undo()
    assert stack.undo_ids() == [a] and stack.redo_ids() == [b]
    assert flag_state(conn, ["v1:1"])["v1:1"] == ""
    stack.undo()
    assert flag_state(conn, ["v1:0"])["v1:0"] == ""
    assert stack.redo_text() == "flag v1:0 label→work"
    n_events = len(event_log(conn))

    # restart: a new connection rebuilds the same stack from the log
    conn.close()
    conn2 = open_project(tmp_path / "p.db")
    stack2 = FlagStack.from_log(conn2, "ana")
    assert stack2.undo_ids() == [] and stack2.redo_ids() == [b, a]
    a2 = stack2.redo()
    assert flag_state(conn2, ["v1:0"])["v1:0"] == "label→work"
    b2 = stack2.redo()
    assert not stack2.can_redo() and stack2.undo_ids() == [a2, b2]
    log = event_log(conn2)
    assert len(log) == n_events + 2                           # nothing deleted, all appended
    # a new action clears the redo side
    stack2.undo()
    stack2.do(FlagSpec("vehicle", "v1", "bad_data"))
    assert not stack2.can_redo()
    assert FlagStack.from_log(conn2, "ana").undo_ids() == stack2.undo_ids()
    # bob's stack is his own
    assert len(FlagStack.from_log(conn2, "bob").undo_ids()) == 1
    conn2.close()


def test_stack_drops_flags_revoked_elsewhere(conn):
    stack = FlagStack(conn, "ana")
    a = stack.do(FlagSpec("place", "v1:0", "model_wrong"))
    b = stack.do(FlagSpec("place", "v1:1", "model_wrong"))
    revoke(conn, "bob", a)                                     # not an undo of ana's
    stack.undo()
    assert stack.redo_ids() == [b] and not stack.can_undo()
    with pytest.raises(UserError, match="nothing to undo"):
        stack.undo()


def test_stack_and_flags_in_force_follow_a_model_of_undo_redo(conn):
    """Random do / undo / redo against a plain model of what they mean (a list of what undo
    would take back, a list of what redo would bring again), so neither the stack nor the
    flags_in_force view is checked against itself."""
    import random
    rng = random.Random(4)
    stack = FlagStack(conn, "ana")
    specs = [FlagSpec("place", p, "label_wrong", v) for p in ("v1:0", "v1:1")
             for v in ("home", "work")] + [FlagSpec("vehicle", "v2", "bad_data")]
    done: list[FlagSpec] = []      # the model: flags undo would revoke, oldest first
    undone: list[FlagSpec] = []    # flags redo would append again, the next one last
    refused = 0
    for _ in range(60):
        op = rng.choice(["do", "do", "undo", "redo"])
        if op == "do":
            spec = rng.choice(specs)
            try:
                stack.do(spec)
            except UserError as exc:       # a flag that changes nothing is refused
                assert "already" in str(exc)
                refused += 1
                continue
            # doing again the flag redo would bring back is that redo; anything else is new
            if undone and undone[-1] == spec:
                undone.pop()
            else:
                undone.clear()
            done.append(spec)
        elif op == "undo" and done:
            stack.undo()
            undone.append(done.pop())
        elif op == "redo" and undone:
            stack.redo()
            done.append(undone.pop())
        assert [stack.spec_of(i) for i in stack.undo_ids()] == done
        assert [stack.spec_of(i) for i in stack.redo_ids()] == undone
        # in force: per (target, action), the latest of the model's done flags
        latest = {}
        for spec in done:
            latest[(spec.target_kind, spec.target_id, spec.action)] = spec.new_value
        act = active_flags(conn)
        values = [v if isinstance(v, str) else None for v in act["new_value"]]
        assert dict(zip(zip(act["target_kind"], act["target_id"], act["action"]),
                        values)) == latest
    assert refused and done and stack.can_undo()
    # and after a restart the stack rebuilt from the log is the same
    again = FlagStack.from_log(conn, "ana")
    assert [again.spec_of(i) for i in again.undo_ids()] == done
    assert [again.spec_of(i) for i in again.redo_ids()] == undone


def test_csv_round_trip_and_dedupe(tmp_path, conn):
    stack = FlagStack(conn, "ana")
    a = stack.do(FlagSpec("place", "v1:0", "label_wrong", "work", note='says "gym", <b>'))
    stack.do(FlagSpec("place", "v1:1", "bad_data"))
    stack.undo()
    revoke(conn, "ana", a)
    out = tmp_path / "ana.csv"
    assert export_csv(conn, out) == 4
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ("event_id,analyst,created_at,target_kind,target_id,action,"
                                    "old_value,new_value,note,revokes,replaces,reviews,batch,"
                                    "anchor")

    # another analyst's project already has one flag of its own
    other = build_tiny_project(tmp_path / "q.db")
    add_flag(other, "bob", "vehicle", "v2", "bad_data")
    summary = import_csv(other, out)
    assert summary == {"read": 4, "imported": 4, "already_present": 0}
    log = event_log(other)
    mine = event_log(conn)
    cols = ["analyst", "created_at", "target_kind", "target_id", "action", "old_value",
            "new_value", "note"]
    assert log.iloc[1:][cols].reset_index(drop=True).equals(mine[cols])
    # revokes were remapped to the new ids: each revoke points at the same flag
    for _, r in log[log["action"] == "revoke"].iterrows():
        target = log.set_index("event_id").loc[int(r["revokes"])]
        assert target["target_id"] == r["target_id"] and target["action"] != "revoke"
    assert active_flags(other)["target_id"].tolist() == ["v2"]

    # importing again adds nothing; exporting the merged log and re-importing is stable
    assert import_csv(other, out)["imported"] == 0
    assert import_csv(conn, out)["imported"] == 0
    merged = tmp_path / "merged.csv"
    export_csv(other, merged)
    assert import_csv(conn, merged) == {"read": 5, "imported": 1, "already_present": 4}
    other.close()


def test_a_log_saved_again_by_a_spreadsheet(tmp_path, conn):
    """A colleague opens the exported log in a spreadsheet and saves it: ';' separated, with a
    byte-order mark and CRLF. It imports as before; if the spreadsheet rewrote the times too
    (an event's time is part of what makes it the same event), the row and the fix are named."""
    add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work", note='Zuhause; "fast"')
    add_flag(conn, "ana", "place", "v1:1", "bad_data")
    out = tmp_path / "ana.csv"
    export_csv(conn, out)
    with open(out, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames), list(reader)

    def save(path, rows):
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.DictWriter(fh, fieldnames=header, delimiter=";", lineterminator="\r\n")
            w.writeheader()
            w.writerows(rows)
        return path

    target = build_tiny_project(tmp_path / "t.db")
    assert import_csv(target, save(tmp_path / "semi.csv", rows))["imported"] == 2
    assert event_log(target)["note"].iloc[0] == 'Zuhause; "fast"'
    assert import_csv(target, out)["imported"] == 0   # the same events, as exported
    rows[0]["created_at"] = "01.12.2026 13:32"
    with pytest.raises(UserError, match=r"row 2: created_at '01.12.2026 13:32' is not an "
                                        r"ISO-8601 time — saved again by a spreadsheet"):
        import_csv(target, save(tmp_path / "dates.csv", rows))
    target.close()


def _drop_analyst(header, rows):
    header.remove("analyst")


@pytest.mark.parametrize("edit,match", [
    (_drop_analyst, "row 1: missing column"),
    (lambda h, rows: rows[1].update(action="label_wrong", new_value="gym"),
     "row 3: corrected label"),
    (lambda h, rows: rows[2].update(revokes="77"), "row 4: revokes event 77"),
    (lambda h, rows: rows[1].update(created_at="yesterday"), "row 3: created_at"),
    (lambda h, rows: rows[1].update(event_id="1"), "row 3: event_id 1 appears twice"),
    (lambda h, rows: rows[1].update(target_kind="stop"), "row 3: target kind"),
    (lambda h, rows: rows[0].update(anchor='{"place_id": "v1:0"'), "row 2: anchor"),
    (lambda h, rows: rows[1].update(replaces="9"), "row 3: replaces event 9"),
])
def test_bad_csv_names_the_row_and_changes_nothing(tmp_path, conn, edit, match):
    a = add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    add_flag(conn, "ana", "place", "v1:1", "model_wrong")
    revoke(conn, "ana", a)
    out = tmp_path / "f.csv"
    export_csv(conn, out)
    with open(out, newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames), list(reader)
    edit(header, rows)
    with open(out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    target = build_tiny_project(tmp_path / "t.db")
    with pytest.raises(UserError, match=match):
        import_csv(target, out)
    assert event_log(target).empty
    target.close()


def test_cli_lists_exports_and_imports(tmp_path, conn, capsys):
    add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work", note="line\x1b[31mred")
    project = str(tmp_path / "p.db")
    assert main(["flags", project]) == 0
    out = capsys.readouterr().out
    assert "label_wrong" in out and "\x1b" not in out
    csv_path = tmp_path / "out.csv"
    assert main(["flags", project, "--export", str(csv_path)]) == 0
    assert csv_path.exists() and not list(tmp_path.glob(".out.csv.*"))
    capsys.readouterr()
    other = build_tiny_project(tmp_path / "q.db")
    other.close()
    assert main(["flags", str(tmp_path / "q.db"), "--import", str(csv_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["import"]["imported"] == 1 and data["events"][0]["new_value"] == "work"
    assert main(["flags", str(tmp_path / "missing.db")]) == 1
    assert "error: " in capsys.readouterr().err


def test_flags_on_the_demo_project(fresh_demo_project):
    c = open_project(fresh_demo_project)
    place, given = c.execute("SELECT place_id, label FROM place_labels ORDER BY place_id "
                             "LIMIT 1").fetchone()
    trip = c.execute("SELECT trip_id FROM trips ORDER BY trip_id LIMIT 1").fetchone()[0]
    stack = FlagStack.from_log(c, "ana")
    e = stack.do(FlagSpec("place", place, "label_wrong", "other"))
    stack.do(FlagSpec("trip", trip, "bad_data"))
    assert event_log(c).set_index("event_id").loc[e, "old_value"] == given
    assert flag_state(c, [place])[place] == "label→other"
    c.close()
    c = open_project(fresh_demo_project)
    stack = FlagStack.from_log(c, "ana")
    stack.undo()
    stack.undo()
    assert active_flags(c).empty and len(event_log(c)) == 4
    c.close()


def test_flags_that_change_nothing_are_refused(conn):
    with pytest.raises(UserError, match="already labelled home"):
        add_flag(conn, "ana", "place", "v1:0", "label_wrong", "home")
    e = add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    with pytest.raises(UserError, match=f"already flagged v1:0 so \\(event {e}\\)"):
        add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    add_flag(conn, "bob", "place", "v1:0", "model_wrong")       # a second opinion is kept
    add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    add_flag(conn, "ana", "place", "v1:0", "label_wrong", "home")  # back to the given label
    assert len(event_log(conn)) == 4


def _in_force_specs(conn):
    from auditor.audit.flags import flags_in_force
    f = flags_in_force(conn)
    return sorted(zip(f["target_kind"], f["target_id"].fillna(""), f["action"],
                      f["new_value"].fillna("")))


def _redo_revokes_line_of(conn, stack, event_id) -> bool:
    """Is the redo side's top a dismissal of ``event_id`` or of a flag it reinstates? Then
    revoking ``event_id`` is exactly what that redo appends (the log cannot tell them apart)."""
    if not stack.can_redo():
        return False
    action, revokes = conn.execute("SELECT action, revokes FROM flag_events WHERE event_id = ?",
                                   (stack.redo_ids()[-1],)).fetchone()
    line, e = set(), event_id
    while e is not None:                             # event_id and the flags it reinstates
        line.add(e)
        e = conn.execute("SELECT replaces FROM flag_events WHERE event_id = ?", (e,)).fetchone()[0]
    return action == "revoke" and revokes in line


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_undo_redo_walks_back_and_forth_through_flags_and_dismissals(conn, seed):
    """Whatever mix of flags and dismissals (revoking any flag in force, someone else's too),
    undo returns exactly the flags in force before the step and redo the ones after; the
    stack rebuilt from the log after every step is the live one. A step whose event is the
    very one an undo or redo would append counts as that undo or redo: the log cannot tell
    them apart (auditor.audit.undo_stack.replay)."""
    import random
    rng = random.Random(seed)
    add_flag(conn, "bob", "vehicle", "v2", "bad_data")
    add_flag(conn, "bob", "place", "v2:0", "model_wrong")
    stack = FlagStack(conn, "ana")
    specs = [FlagSpec("place", p, "label_wrong", v) for p in ("v1:0", "v1:1")
             for v in ("work", "other")] + [FlagSpec("place", "v1:1", "bad_data"),
                                            FlagSpec("vehicle", "v1", "bad_data")]
    states, at = [_in_force_specs(conn)], 0
    for _ in range(60):
        op = rng.choice(["do", "do", "dismiss", "undo", "undo", "redo", "redo"])
        if op in ("do", "dismiss"):
            try:
                if op == "do":
                    spec = rng.choice(specs)
                    redoes = stack.can_redo() and stack.spec_of(stack.redo_ids()[-1]) == spec
                    stack.do(spec)
                    if redoes:                       # repeating the flag redo would append
                        at += 1
                        assert _in_force_specs(conn) == states[at]
                        continue
                else:
                    from auditor.audit.flags import flags_in_force
                    # one's own flag deeper in the undo history leaves it when dismissed (a
                    # linear history cannot say that: see the test after this one)
                    deeper = set(stack.undo_ids()[:-1])
                    live = [e for e in flags_in_force(conn)["event_id"] if e not in deeper]
                    if not live:
                        continue
                    chosen = rng.choice(live)
                    top = stack.undo_ids()[-1] if stack.can_undo() else None
                    redoes = _redo_revokes_line_of(conn, stack, chosen)
                    stack.dismiss(chosen)
                    if chosen == top:                # dismissing one's latest flag = its undo
                        at -= 1
                        assert _in_force_specs(conn) == states[at]
                        continue
                    if redoes:                       # the revocation redo would append = redo
                        at += 1
                        assert _in_force_specs(conn) == states[at]
                        continue
            except UserError as exc:
                assert "already" in str(exc)
                continue
            states, at = states[:at + 1] + [_in_force_specs(conn)], at + 1
        elif op == "undo" and stack.can_undo():
            stack.undo()
            at -= 1
            assert _in_force_specs(conn) == states[at]
        elif op == "redo" and stack.can_redo():
            stack.redo()
            at += 1
            assert _in_force_specs(conn) == states[at]
        again = FlagStack.from_log(conn, "ana")
        assert (again.undo_ids(), again.redo_ids()) == (stack.undo_ids(), stack.redo_ids())
    assert stack.can_undo() == (at > 0)


def test_dismissing_ones_earlier_flag_takes_its_step_off_the_undo_side(conn):
    """Dismissing one's own flag below the top of the undo side replaces that step with the
    dismissal: undo reinstates the flag (which then stays, as a flag of its own), and the log
    alone gives the same stack."""
    stack = FlagStack(conn, "ana")
    a = stack.do(FlagSpec("place", "v1:0", "label_wrong", "work"))
    b = stack.do(FlagSpec("place", "v1:1", "bad_data"))
    d = stack.dismiss(a)
    assert stack.undo_ids() == [b, d] and flag_state(conn, ["v1:0"])["v1:0"] == ""
    back = stack.undo()                              # the dismissal: flag a again
    assert event_log(conn).set_index("event_id").loc[back, "replaces"] == a
    assert flag_state(conn, ["v1:0"])["v1:0"] == "label→work"
    stack.undo()                                     # flag b
    assert not stack.can_undo() and flag_state(conn, ["v1:0", "v1:1"]) == \
        {"v1:0": "label→work", "v1:1": ""}
    again = FlagStack.from_log(conn, "ana")
    assert (again.undo_ids(), again.redo_ids()) == (stack.undo_ids(), stack.redo_ids())
    stack.redo()
    stack.redo()
    assert flag_state(conn, ["v1:0", "v1:1"]) == {"v1:0": "", "v1:1": "bad data"}


def test_dismissing_someone_elses_flag_is_undone_and_redone(conn):
    b = add_flag(conn, "bob", "place", "v1:1", "label_wrong", "work")
    stack = FlagStack(conn, "ana")
    r = stack.dismiss(b)
    assert stack.undo_ids() == [r] and flag_state(conn, ["v1:1"])["v1:1"] == ""
    assert describe(stack.spec_of(r)) == "revoke flag on v1:1"
    back = stack.undo()                              # bob's flag again, as a reinstatement
    assert flag_state(conn, ["v1:1"])["v1:1"] == "label→work"
    assert event_log(conn).set_index("event_id").loc[back, "replaces"] == b
    stack.redo()
    assert flag_state(conn, ["v1:1"])["v1:1"] == ""
    stack.undo()
    assert flag_state(conn, ["v1:1"])["v1:1"] == "label→work"
    assert FlagStack.from_log(conn, "ana").redo_ids() == stack.redo_ids() != []
