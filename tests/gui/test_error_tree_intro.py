"""The Error tree tab's intro follows the tree: a split on vehicle metadata is named as where
errors pile up; 'no population stands out' is said only when nothing does."""
from types import SimpleNamespace

import numpy as np
from place_tables import labelled_places as _fleet

from auditor.analysis.error_tree import design_matrix, grow_error_tree
from auditor.analysis.results import Analysis
from auditor.gui.analyses.tree import ErrorTreeView
from auditor.state.app_state import AppState


def _view(qtbot, wrong_of):
    lab, features, meta = _fleet(wrong_of)
    X, words = design_matrix(lab, features, meta)
    tree, members = grow_error_tree(lab, X, words)
    view = ErrorTreeView(AppState(SimpleNamespace(analyst="", basemap="none")))
    qtbot.addWidget(view)
    view.set_analysis(Analysis(1, (1, "", ""), {"error_tree": tree}, {"tree": members}))
    return view, tree, lab


def test_a_split_on_a_population_is_named_in_the_intro(qtbot):
    view, tree, lab = _view(qtbot, lambda f, rng: ((f["region"] == "north")
                                                   & (rng.random(len(f)) < 0.6)).astype(int))
    text = view.intro.text()
    north = lab["region"] == "north"
    assert "The tree splits on vehicle metadata itself — region = north: " in text
    assert f"wrong of {int(north.sum())} places, 0.0% of the other {int((~north).sum())}" in text
    assert "No vehicle population" not in text
    # the node the intro names is the one the tree shows, and a click lists its places
    node = next(n for n in tree["root"]["children"] if n["condition"] == "region = north")
    assert view.items[node["id"]].text(0) == "region = north"
    assert sorted(view.choose_node(node["id"])) == sorted(lab.loc[north, "place_id"])


def test_no_population_is_said_when_the_tree_splits_on_features_alone(qtbot):
    view, tree, _ = _view(qtbot, lambda f, rng: (f["dwell_share"] > 0.7).astype(int))
    assert tree["population_splits"] == [] and not any(
        leaf["dominant"] for leaf in tree["leaves"])
    assert "No vehicle population (firmware, region, …) stands out" in view.intro.text()
    assert "splits on vehicle metadata" not in view.intro.text()
    assert np.isclose(tree["errors"] / tree["n"], 0.3, atol=0.1)
