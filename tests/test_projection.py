"""Issue 17 item 1 (Qt-free): every place in 2-D (PCA, t-SNE), cached per run; a lasso's
places flagged in one undo step; and the state's review API the GUI will call."""
from types import SimpleNamespace

import numpy as np
import pytest

from auditor.analysis import projection as proj
from auditor.analysis.projection import colour_columns, place_projection
from auditor.audit.flags import active_flags, add_flag
from auditor.audit.undo_stack import FlagBatch
from auditor.errors import UserError
from auditor.state.app_state import AppState
from auditor.store import open_project


@pytest.fixture
def conn(demo_project):
    c = open_project(demo_project, create=False)
    yield c
    c.close()


def _n_places(conn):
    return conn.execute("SELECT COUNT(*) FROM predictions WHERE run_id = (SELECT MAX(run_id) "
                        "FROM runs WHERE kind = 'model')").fetchone()[0]


def test_pca_gives_every_place_a_point_deterministically_and_caches_it(conn, tmp_path):
    proj.MEMORY.items.clear()
    p = place_projection(conn, cache_dir=tmp_path)
    assert len(p) == _n_places(conn) and p.xy.shape == (len(p), 2) and p.xy.dtype == np.float32
    assert list(p.place_ids) == sorted(p.place_ids) and np.isfinite(p.xy).all()
    assert p.explained[0] >= p.explained[1] > 0 and sum(p.explained) <= 1
    assert place_projection(conn, cache_dir=tmp_path) is p         # memory
    proj.MEMORY.items.clear()
    again = place_projection(conn, cache_dir=tmp_path)               # disk
    assert again is not p and np.array_equal(again.xy, p.xy)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    proj.MEMORY.items.clear()
    fresh = place_projection(conn)                                   # recomputed: same numbers
    assert np.array_equal(fresh.xy, p.xy)
    # the axes separate places by what they are: homes and workplaces sit apart on them
    colours = colour_columns(conn, p)
    pred = colours["predicted_label"]
    home, work = p.xy[pred == "home"].mean(0), p.xy[pred == "work"].mean(0)
    spread = p.xy.std(0)
    assert np.abs((home - work) / spread).max() > 0.5
    assert p.places_in(pred == "home") == sorted(p.place_ids[pred == "home"].tolist())
    assert p.index_of(p.place_ids[3]) == 3 and p.index_of("nope") is None


def test_colour_columns_are_aligned_arrays(conn):
    p = place_projection(conn)
    colours = colour_columns(conn, p)
    assert {"given_label", "predicted_label", "model_wrong", "suspicion"} <= set(colours)
    assert any(k.startswith("meta:") for k in colours)
    assert all(len(v) == len(p) for v in colours.values())
    wrong = conn.execute("SELECT COUNT(*) FROM predictions WHERE run_id = ? AND given_label "
                         "IN ('home','work','other') AND oof_p_home IS NOT NULL",
                         (p.identity[0],)).fetchone()[0]
    assert np.isin(colours["model_wrong"], ["yes", "no"]).sum() == wrong
    assert np.isfinite(colours["suspicion"]).sum() > 0


def test_tsne_is_seeded_and_samples_above_its_limit(conn, monkeypatch):
    proj.MEMORY.items.clear()
    monkeypatch.setattr(proj, "TSNE_MAX_POINTS", 120)
    a = place_projection(conn, method="tsne", seed=3)
    assert a.approximate and np.isfinite(a.xy).all() and len(a) == _n_places(conn)
    proj.MEMORY.items.clear()
    b = place_projection(conn, method="tsne", seed=3)
    assert np.array_equal(a.xy, b.xy)
    with pytest.raises(UserError, match="unknown"):
        place_projection(conn, method="umap")


@pytest.fixture
def state(fresh_demo_project):
    s = AppState(SimpleNamespace(analyst="ana", basemap="none"))
    s.changes = []
    s.flags_changed.connect(lambda spec, op: s.changes.append((spec, op)))
    s.open_project(fresh_demo_project)
    yield s
    s.close_project()


def test_a_lasso_is_flagged_in_one_step_and_undone_in_one(state):
    p = place_projection(state.conn)
    lasso = p.xy[:, 0] > np.quantile(p.xy[:, 0], 0.9)
    chosen = p.places_in(lasso)
    done = state.flag_places(chosen, "model_wrong")
    spec, op = state.changes[-1]
    assert op == "flag" and isinstance(spec, FlagBatch) and len(spec.targets) == len(chosen)
    flagged = active_flags(state.conn)
    assert sorted(flagged["target_id"]) == sorted(chosen) and len(done["event_ids"]) == \
        len(chosen)
    state.undo(spec)                                   # the Edit menu names the same step
    assert active_flags(state.conn).empty
    state.redo(spec)
    assert len(active_flags(state.conn)) == len(chosen)
    assert state.flag_places([], "bad_data") is None


def test_the_review_api_walks_the_queue_and_decides_undoably(state):
    conn = state.conn
    place = conn.execute("SELECT place_id FROM place_labels ORDER BY place_id LIMIT 1").fetchone()[0]
    other = add_flag(conn, "bob", "place", place, "model_wrong", note="parked at the gym")
    mine = state.flag_places([place], "bad_data")["event_ids"][0]
    item = state.next_review()
    assert item.event_id == other and item.place_id == place and item.pending == 1
    assert item.vehicle_id == place.rsplit(":", 1)[0] and item.prediction is not None
    assert isinstance(item.evidence, list)
    with pytest.raises(UserError, match="nobody reviews their own"):
        state.review(mine, "accept")
    state.review(other, "reject", note="the model is right")
    assert state.next_review() is None
    spec, _ = state.changes[-1]
    state.undo(spec)
    assert state.next_review().event_id == other
