"""Review by a second analyst (issue 17 item 3): decisions as events of the flag log, the rules,
undo, CSV merge, flags --json, export --reviewed-only, agreement; and many flags as one step."""
import json
import sqlite3

import pytest
from sklearn.metrics import cohen_kappa_score
from test_flags import build_tiny_project

from auditor.analysis.agreement import agreement_items, agreement_report, cohen_kappa
from auditor.audit.flags import FlagSpec, active_flags, add_flag, event_log, revoke
from auditor.audit.log_csv import export_csv, import_csv
from auditor.audit.review import next_pending, pending_flags, review_flag, review_state
from auditor.audit.undo_stack import FlagBatch, FlagStack, describe
from auditor.cli import main
from auditor.errors import UserError
from auditor.store import open_project


@pytest.fixture
def conn(tmp_path):
    c = build_tiny_project(tmp_path / "p.db")
    yield c
    c.close()


def _state(conn, event_id):
    s = review_state(conn).set_index("event_id")
    return s.loc[event_id, "review"], s.loc[event_id, "reviewer"]


def test_decisions_are_events_and_the_latest_in_force_counts(conn):
    f1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    f2 = add_flag(conn, "ana", "vehicle", "v2", "bad_data")
    assert _state(conn, f1) == ("pending", None)
    r1 = review_flag(conn, "bob", f1, "accept")
    r2 = review_flag(conn, "bob", f2, "reject", note="the drives look fine")
    assert _state(conn, f1) == ("accepted", "bob") and _state(conn, f2) == ("rejected", "bob")
    log = event_log(conn).set_index("event_id")
    assert log.loc[r1, "action"] == "accept" and log.loc[r1, "reviews"] == f1
    assert log.loc[r1, "target_id"] == "v1:0" and log.loc[r1, "old_value"] == "work"
    assert log.loc[r2, "note"] == "the drives look fine" and log.loc[r2, "analyst"] == "bob"
    # review events are not flags: the flags in force and their targets are unchanged
    assert sorted(active_flags(conn)["event_id"]) == [f1, f2]
    assert conn.execute("SELECT COUNT(*) FROM flag_targets WHERE event_id IN (?, ?)",
                        (r1, r2)).fetchone()[0] == 0
    # a third analyst changes their mind for them: the latest decision holds
    r3 = review_flag(conn, "cy", f1, "amend", "other", note="it is the gym")
    assert _state(conn, f1) == ("amended", "cy")
    # undoing it (a revocation of the review event) brings bob's accept back
    revoke(conn, "cy", r3)
    assert _state(conn, f1) == ("accepted", "bob")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE flag_events SET action = 'accept' WHERE event_id = ?", (f2,))


def test_what_a_review_refuses(conn):
    f1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")   # was home
    f2 = add_flag(conn, "ana", "place", "v1:1", "model_wrong")
    with pytest.raises(UserError, match="nobody reviews their own"):
        review_flag(conn, "ana", f1, "accept")
    with pytest.raises(UserError, match="already says work — use --accept"):
        review_flag(conn, "bob", f1, "amend", "work")
    with pytest.raises(UserError, match="before flag .* use --reject"):
        review_flag(conn, "bob", f1, "amend", "home")
    with pytest.raises(UserError, match="amend corrects a label"):
        review_flag(conn, "bob", f2, "amend", "home")
    with pytest.raises(UserError, match="not a label"):
        review_flag(conn, "bob", f1, "amend", "garage")
    with pytest.raises(UserError, match="--label goes with --amend"):
        review_flag(conn, "bob", f1, "accept", "other")
    with pytest.raises(UserError, match="unknown"):
        review_flag(conn, "bob", f1, "approve")
    r = review_flag(conn, "bob", f1, "accept")
    with pytest.raises(UserError, match="already accepted"):
        review_flag(conn, "bob", f1, "accept")
    with pytest.raises(UserError, match="is a review decision"):
        review_flag(conn, "cy", r, "accept")
    gone = revoke(conn, "ana", f2)
    with pytest.raises(UserError, match="is a revocation"):
        review_flag(conn, "bob", gone, "accept")
    with pytest.raises(UserError, match="not in force"):
        review_flag(conn, "bob", f2, "accept")
    # superseded by a later flag on the same place: the later one is what is reviewed
    f3 = add_flag(conn, "cy", "place", "v1:0", "label_wrong", "other")
    with pytest.raises(UserError, match="not in force"):
        review_flag(conn, "bob", f1, "reject")
    with pytest.raises(UserError, match="no event 999"):
        review_flag(conn, "bob", 999, "accept")
    assert review_flag(conn, "ana", f3, "reject") > f3
    n = conn.execute("SELECT COUNT(*) FROM flag_events").fetchone()[0]
    with pytest.raises(UserError):
        review_flag(conn, "ana", f3, "reject")
    assert conn.execute("SELECT COUNT(*) FROM flag_events").fetchone()[0] == n


def test_a_re_attached_flag_keeps_its_review_and_its_author(conn):
    f1 = add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    review_flag(conn, "bob", f1, "accept")
    moved = FlagStack(conn, "cy").reattach(f1, "v1:1")
    assert _state(conn, moved) == ("accepted", "bob")
    # the flag's author cannot review it under its new id, nor can who re-attached it
    for who in ("ana", "cy"):
        with pytest.raises(UserError, match="nobody reviews their own"):
            review_flag(conn, who, moved, "reject")


def test_the_review_queue_skips_ones_own_and_decided_flags(conn):
    a = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    b = add_flag(conn, "bob", "place", "v1:1", "bad_data")
    c = add_flag(conn, "ana", "vehicle", "v2", "bad_data")
    assert pending_flags(conn, "bob")["event_id"].tolist() == [a, c]
    assert pending_flags(conn, "ana")["event_id"].tolist() == [b]
    assert next_pending(conn, "bob")["event_id"] == a
    assert next_pending(conn, "bob", after=a)["event_id"] == c
    assert next_pending(conn, "bob", after=c)["event_id"] == a   # wraps round
    review_flag(conn, "bob", a, "accept")
    assert next_pending(conn, "bob")["event_id"] == c
    review_flag(conn, "bob", c, "reject")
    assert next_pending(conn, "bob") is None
    assert next_pending(conn, "cy")["event_id"] == b


def test_decide_is_one_undo_step_and_survives_a_restart(tmp_path, conn):
    f1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    stack = FlagStack(conn, "bob")
    r = stack.decide(f1, "amend", "other", note="gym")
    assert describe(stack.spec_of(r)) == f"amend flag {f1} on v1:0 (label→other)"
    assert _state(conn, f1) == ("amended", "bob")
    stack.undo()
    assert _state(conn, f1) == ("pending", None)
    stack.redo()
    assert _state(conn, f1) == ("amended", "bob")
    stack.undo()
    conn.close()
    again = open_project(tmp_path / "p.db")
    restarted = FlagStack.from_log(again, "bob")
    assert restarted.can_redo() and not restarted.can_undo()
    restarted.redo()
    assert _state(again, f1) == ("amended", "bob")
    assert review_state(again).set_index("event_id").loc[f1, "amended_value"] == "other"
    again.close()


def test_reviews_travel_with_the_flag_csv_and_import_twice_adds_nothing(tmp_path, conn):
    f1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    f2 = add_flag(conn, "ana", "place", "v1:1", "bad_data")
    review_flag(conn, "bob", f1, "amend", "other", note="gym")
    r2 = review_flag(conn, "bob", f2, "accept")
    revoke(conn, "bob", r2)
    out = tmp_path / "log.csv"
    export_csv(conn, out)
    other = build_tiny_project(tmp_path / "q.db")
    add_flag(other, "cy", "vehicle", "v2", "bad_data")     # shifts every event id by one
    first = import_csv(other, out)
    assert first["imported"] == 5
    assert import_csv(other, out) == {"read": 5, "imported": 0, "already_present": 5}
    states = review_state(other).set_index("event_id")
    by_target = {t: e for e, t in other.execute(
        "SELECT event_id, target_id FROM flag_events WHERE action = 'label_wrong' OR "
        "(action = 'bad_data' AND target_kind = 'place')")}
    assert states.loc[by_target["v1:0"], "review"] == "amended"
    assert states.loc[by_target["v1:0"], "amended_value"] == "other"
    assert states.loc[by_target["v1:1"], "review"] == "pending"      # its accept was undone
    reviewed = other.execute("SELECT reviews FROM flag_events WHERE action = 'amend'").fetchone()
    assert reviewed[0] == by_target["v1:0"]
    other.close()


def test_a_csv_review_of_an_unknown_flag_is_refused(tmp_path, conn):
    f1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    review_flag(conn, "bob", f1, "accept")
    out = tmp_path / "log.csv"
    export_csv(conn, out)
    lines = out.read_text().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[2]]) + "\n")   # the review without its flag
    with pytest.raises(UserError, match="row 2: reviews event 1"):
        import_csv(conn, bad)


def test_flags_json_and_the_review_cli(tmp_path, conn, capsys):
    f1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    f2 = add_flag(conn, "ana", "place", "v1:1", "model_wrong")
    project = str(tmp_path / "p.db")
    capsys.readouterr()
    assert main(["review", project, "--analyst", "ana", "--accept", str(f1)]) == 1
    assert "nobody reviews their own flags" in capsys.readouterr().err
    assert main(["review", project, "--analyst", "bob", "--amend", str(f1), "--label",
                 "other", "--note", "gym"]) == 0
    assert "bob amends flag" in capsys.readouterr().out
    assert main(["review", project, "--analyst", "bob", "--amend", str(f2)]) == 1
    assert "--amend needs --label" in capsys.readouterr().err
    assert main(["review", project, "--analyst", "bob", "--accept", "x"]) == 1
    assert "not an event id" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["review", project, "--accept", str(f2)])          # no --analyst: usage, exit 2
    assert usage.value.code == 2
    capsys.readouterr()
    assert main(["review", project, "--analyst", "bob", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["event_id"] for p in listed["pending"]] == [f2]
    assert [(d["reviewer"], d["decision"], d["flag_event_id"]) for d in listed["decisions"]] \
        == [("bob", "amend", f1)]
    assert main(["flags", project, "--json"]) == 0
    flags = {f["event_id"]: f for f in json.loads(capsys.readouterr().out)["flags"]}
    assert (flags[f1]["review"], flags[f1]["reviewer"], flags[f1]["amended_label"]) == \
        ("amended", "bob", "other")
    assert (flags[f2]["review"], flags[f2]["reviewer"]) == ("pending", None)


def test_export_reviewed_only_applies_accepted_and_amended_flags(fresh_demo_project, tmp_path,
                                                                 capsys):
    conn = open_project(fresh_demo_project)
    train = conn.execute(
        "SELECT p.place_id, p.given_label FROM predictions p WHERE p.run_id = (SELECT "
        "MAX(run_id) FROM runs WHERE kind = 'model') AND p.split = 'train' AND p.given_label "
        "IN ('home', 'work') ORDER BY p.place_id LIMIT 4").fetchall()
    flip = {"home": "work", "work": "home"}
    fixes = [add_flag(conn, "ana", "place", pid, "label_wrong", flip[g]) for pid, g in train[:3]]
    bad = add_flag(conn, "ana", "place", train[3][0], "bad_data")
    review_flag(conn, "bob", fixes[0], "accept")
    review_flag(conn, "bob", fixes[1], "amend", "other")
    review_flag(conn, "bob", fixes[2], "reject", note="the label was right")
    conn.close()                                              # bad stays pending
    project = str(fresh_demo_project)
    capsys.readouterr()
    assert main(["export", project, str(tmp_path / "all"), "--json"]) == 0
    every = json.loads(capsys.readouterr().out)
    assert main(["export", project, str(tmp_path / "rev"), "--json", "--reviewed-only"]) == 0
    reviewed = json.loads(capsys.readouterr().out)
    assert every["relabelled"] == 3 and every["excluded"] == 1
    assert reviewed["relabelled"] == 2 and reviewed["excluded"] == 0
    assert reviewed["rows"] == every["rows"] + 1
    import pandas as pd
    rows = pd.read_csv(tmp_path / "rev" / "training_set.csv").set_index("place_id")
    assert rows.loc[train[0][0], "label"] == flip[train[0][1]]
    assert rows.loc[train[1][0], "label"] == "other"           # the reviewer's label
    assert rows.loc[train[2][0], "label"] == train[2][1]       # rejected: the given label
    manifest = json.loads((tmp_path / "rev" / "manifest.json").read_text())
    assert manifest["config"]["reviewed_only"] is True
    assert manifest["flags_in_force"]["reviewed_only"] is True
    assert "reviewed_only" not in json.loads((tmp_path / "all" / "manifest.json").read_text())[
        "config"]
    assert main(["verify", str(tmp_path / "rev")]) == 0
    assert bad > 0


def test_cohen_kappa_matches_scikit_learn():
    a = ["home", "work", "home", "other", "work", "home", "home"]
    b = ["home", "work", "work", "other", "work", "other", "home"]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None        # one answer throughout
    assert cohen_kappa([], []) is None


def test_agreement_counts_reviews_and_independent_flags(conn):
    # ana flags, bob reviews: 2 agree (accept), 1 disagrees (amend)
    a1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    a2 = add_flag(conn, "ana", "place", "v1:1", "label_wrong", "home")
    a3 = add_flag(conn, "ana", "vehicle", "v2", "bad_data")
    review_flag(conn, "bob", a1, "accept")
    review_flag(conn, "bob", a2, "amend", "work")
    review_flag(conn, "bob", a3, "accept")
    # bob and cy both flag v2:0 model_wrong independently: agree
    add_flag(conn, "bob", "place", "v2:0", "model_wrong")
    add_flag(conn, "cy", "place", "v2:0", "model_wrong")
    items = agreement_items(conn)
    assert len(items) == 4
    rep = agreement_report(conn)
    rows = {(tuple(p["analysts"]), p["action"]): p for p in rep["pairs"]}
    lw = rows[(("ana", "bob"), "label_wrong")]
    assert (lw["items"], lw["agreed"], lw["from_reviews"]) == (2, 1, 2)
    assert lw["raw_agreement"] == 0.5
    assert lw["kappa"] == pytest.approx(cohen_kappa_score(["work", "home"], ["work", "work"]))
    bd = rows[(("ana", "bob"), "bad_data")]
    assert (bd["items"], bd["agreed"], bd["kappa"]) == (1, 1, None)
    assert "undefined" in bd["kappa_note"]
    mw = rows[(("bob", "cy"), "model_wrong")]
    assert (mw["items"], mw["agreed"], mw["from_independent_flags"]) == (1, 1, 1)
    assert rows[(("ana", "bob"), "all")]["items"] == 3
    assert rep["reviews"]["accepted"] == 2 and rep["reviews"]["amended"] == 1


def test_many_flags_are_one_undo_step(tmp_path, conn):
    stack = FlagStack(conn, "ana")
    single = stack.do(FlagSpec("place", "v2:0", "bad_data"))
    done = stack.do_many([FlagSpec("place", p, "model_wrong") for p in ("v1:0", "v1:1", "v1:0")])
    assert len(done["event_ids"]) == 2                    # the repeated place counts once
    spec = stack.spec_of(done["entry"])
    assert isinstance(spec, FlagBatch) and spec.targets == ("v1:0", "v1:1")
    assert describe(spec) == "flag 2 places model wrong"
    assert stack.undo_ids() == [single, done["entry"]]
    assert len(set(event_log(conn)["batch"].dropna())) == 1
    stack.undo()
    assert sorted(active_flags(conn)["target_id"]) == ["v2:0"]
    stack.redo()
    assert sorted(active_flags(conn)["target_id"]) == ["v1:0", "v1:1", "v2:0"]
    # after a restart the batch is still one step
    conn.close()
    again = open_project(tmp_path / "p.db")
    restarted = FlagStack.from_log(again, "ana")
    assert len(restarted.undo_ids()) == 2
    restarted.undo()
    assert sorted(active_flags(again)["target_id"]) == ["v2:0"]
    restarted.undo()
    assert active_flags(again).empty
    # a batch that says nothing new is refused whole; one with a no-op skips only that one
    with pytest.raises(UserError, match="nothing to add"):
        restarted.do_many([FlagSpec("place", "v1:0", "label_wrong", "home")])
    part = restarted.do_many([FlagSpec("place", p, "label_wrong", "home") for p in ("v1:0",
                                                                                 "v1:1")])
    assert [t for t, _ in part["skipped"]] == ["v1:0"] and len(part["event_ids"]) == 1
    # a batch revoked in part by someone else: undo takes back what is left
    batch = restarted.do_many([FlagSpec("place", p, "bad_data") for p in ("v1:0", "v1:1")])
    revoke(again, "bob", batch["event_ids"][0])
    restarted.undo()
    assert active_flags(again)["action"].tolist() == ["label_wrong"]
    again.close()


def test_a_project_at_migration_4_keeps_every_flag_through_the_review_rebuild(tmp_path):
    """Migration 5 rebuilds the three flag tables (new actions, reviews, batch). A project at 4
    (anchors, targets, a revocation, a re-attachment, an orphan, a project setting) keeps every
    row and id, the same flags in force, its append-only triggers and indexes, and its event ids
    keep counting from where they were."""
    from auditor.store.schema import MIGRATIONS, SCHEMA_VERSION
    path = tmp_path / "m4.db"
    raw = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:4]:
        raw.executescript(script)
    raw.execute("PRAGMA user_version = 4")
    raw.executemany("INSERT INTO places VALUES (?,?,?,?,?)",
                    [("v:0", "v", 48.0, 11.0, 2), ("v:1", "v", 48.02, 11.0, 1)])
    raw.executemany("INSERT INTO flag_events (analyst, created_at, target_kind, target_id, "
                    "action, old_value, new_value, note, revokes, replaces) VALUES "
                    "(?, '2026-01-01T00:00:00Z', ?, ?, ?, ?, ?, ?, ?, ?)",
                    [("ana", "place", "v:1", "label_wrong", "home", "work", "=1+1", None, None),
                     ("bob", "place", "v:0", "label_wrong", "home", "other", None, None, None),
                     ("bob", "place", "v:0", "revoke", None, None, None, 2, None),
                     ("ana", "place", "v:9", "bad_data", None, None, None, None, None),
                     ("ana", "place", "v:0", "bad_data", None, None, None, None, 4),
                     ("ana", "vehicle", "v", "bad_data", None, None, None, None, None),
                     ("bob", "place", "v:8", "model_wrong", None, None, None, None, None)])
    raw.executemany("INSERT INTO flag_anchors VALUES (?, 'v', ?, 48.0, 11.0, 100, 200, 1, "
                    "'[[100, 200]]', 'flagged', '2026-01-01T00:00:00Z')",
                    [(1, "v:1"), (2, "v:0"), (4, "v:9"), (5, "v:0"), (7, "v:8")])
    raw.executemany("INSERT INTO flag_targets VALUES (?,?,?,?,?,?)",
                    [(1, "v:0", "attached", "stops", 5.0, "moved"),
                     (4, None, "orphaned", "gone", None, "no place near"),
                     (5, "v:0", "attached", "flagged", 0.0, None),
                     (7, None, "orphaned", "gone", None, "no place near")])
    raw.execute("INSERT INTO project_settings VALUES ('basemap', 'osm')")
    tables = {t: raw.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
              for t in ("flag_events", "flag_anchors", "flag_targets", "project_settings")}
    in_force = raw.execute("SELECT * FROM flags_in_force ORDER BY event_id").fetchall()
    objects = set(raw.execute("SELECT type, name FROM sqlite_master").fetchall())
    raw.close()
    # 2 revoked, 4 replaced by 5, 7 orphaned
    assert [(r[0], r[6]) for r in in_force] == [(1, "attached"), (5, "attached"),
                                                (6, "attached"), (7, "orphaned")]

    conn = open_project(path, create=False)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [r[:11] for r in conn.execute("SELECT * FROM flag_events ORDER BY 1")] == \
        tables["flag_events"]
    assert conn.execute("SELECT DISTINCT reviews, batch FROM flag_events").fetchall() == \
        [(None, None)]
    for t in ("flag_anchors", "flag_targets", "project_settings"):
        assert conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() == tables[t], t
    assert conn.execute("SELECT * FROM flags_in_force ORDER BY event_id").fetchall() == in_force
    # (the pings store's tables come from a later migration, issue 15)
    after = {(t, n) for t, n in conn.execute("SELECT type, name FROM sqlite_master")
             if "pings_store" not in n}
    assert objects - after == set()
    # what migrations after this one add (6: the pings digests, issue 16)
    later = {("table", "pings_digests"), ("trigger", "pings_digest_stale_on_update"),
             ("trigger", "pings_digest_stale_on_delete")}
    assert after - objects - later == {("index", "flag_events_reviews"),
                                       ("index", "flag_events_batch"),
                                       ("view", "flag_reviews"), ("view", "reviewed_flags_in_force")}
    for t in ("flag_events", "flag_anchors"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(f"DELETE FROM {t} WHERE event_id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(f"UPDATE {t} SET event_id = 99 WHERE event_id = 1")
    assert review_state(conn).set_index("event_id")["review"].to_dict() == \
        {1: "pending", 5: "pending", 6: "pending", 7: "pending"}
    event = review_flag(conn, "cy", 5, "accept")
    assert event == 8                                 # AUTOINCREMENT goes on from the log
    assert _state(conn, 5) == ("accepted", "cy")
    conn.close()


def test_a_places_flags_carry_their_review_and_the_details_pane_says_it(conn):
    """The details pane listed a rejected flag exactly like a pending one; the place's flags now
    carry the second analyst's decision (flag_reviews), and review_words says it."""
    from auditor.gui.views.details import review_words
    from auditor.store.lookups import place_flags
    f1 = add_flag(conn, "ana", "place", "v1:0", "label_wrong", "work")
    f2 = add_flag(conn, "ana", "place", "v1:0", "model_wrong")
    assert [(f["event_id"], f["review"]) for f in place_flags(conn, "v1:0")] == [
        (f1, "pending"), (f2, "pending")]
    assert review_words(place_flags(conn, "v1:0")[0]) == ""
    review_flag(conn, "bob", f1, "amend", "other", note="it is the <b>gym</b>")
    review_flag(conn, "bob", f2, "reject")
    got = {f["event_id"]: f for f in place_flags(conn, "v1:0")}
    assert (got[f1]["review"], got[f1]["reviewer"], got[f1]["amended_value"]) == (
        "amended", "bob", "other")
    assert review_words(got[f1]) == " · amended to other by bob — “it is the <b>gym</b>”"
    assert review_words(got[f2]) == " · rejected by bob"
    assert place_flags(conn, "v1:1") == []
