"""The error tree names the vehicle population it splits on (a wrong join or a faulty firmware
shows itself as the tree separating one population), with that population's error rate
counted independently here; a tree that splits on features alone names none."""
import numpy as np
from place_tables import labelled_places as _fleet

from auditor.analysis.error_tree import design_matrix, grow_error_tree
from auditor.analysis.sections.error_tree import render_text


def test_a_population_with_swapped_labels_is_named_with_its_own_error_rate():
    lab, features, meta = _fleet(
        lambda f, rng: ((f["region"] == "north") & (rng.random(len(f)) < 0.6)).astype(int))
    X, words = design_matrix(lab, features, meta)
    tree, _ = grow_error_tree(lab, X, words)
    splits = tree["population_splits"]
    assert splits, tree
    top = splits[0]
    assert (top["column"], top["value"]) == ("region", "north")
    # counted here from the data, not from the tree: the split sits at the root
    north = lab["region"] == "north"
    assert top["slice"] == "region = north"
    assert top["n"] == int(north.sum()) and top["errors"] == int(lab.loc[north, "wrong"].sum())
    assert top["other_n"] == int((~north).sum()) and top["other_error_rate"] == 0.0
    assert abs(top["error_rate"] - lab.loc[north, "wrong"].mean()) < 1e-12
    text = "\n".join(render_text({"error_tree": tree}))
    assert (f"splits on vehicle metadata: region = north: {100 * top['error_rate']:.1f}% wrong "
            f"of {top['n']} places, 0.0% of the other {top['other_n']}") in text


def test_a_tree_on_features_alone_names_no_population():
    lab, features, meta = _fleet(lambda f, rng: (f["dwell_share"] > 0.7).astype(int))
    X, words = design_matrix(lab, features, meta)
    tree, _ = grow_error_tree(lab, X, words)
    assert tree["root"]["feature"] == "dwell_share"
    assert tree["population_splits"] == []
    assert "splits on vehicle metadata" not in "\n".join(render_text({"error_tree": tree}))


def test_a_tree_with_one_leaf_and_one_too_small_say_so():
    lab, features, meta = _fleet(lambda f, rng: np.zeros(len(f), dtype=int))
    X, words = design_matrix(lab, features, meta)
    tree, _ = grow_error_tree(lab, X, words)
    assert [leaf["slice"] for leaf in tree["leaves"]] == ["all labelled places"]
    small, _ = grow_error_tree(lab.head(15), X.head(15), words)
    assert render_text({"error_tree": small})[1] == ("  no tree: too few labelled places "
                                                     "for a tree")
