"""Inference settings: one frozen dataclass, stored with every run so a run can be repeated."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from auditor.settings import settings_from


@dataclass(frozen=True)
class InferConfig:
    # trips
    gap_minutes: float = 5.0          # a silence longer than this ends a trip (parked cars send nothing)
    tunnel_move_m: float = 500.0      # ...unless the car moved farther than this across it (tunnel)
    max_tunnel_minutes: float = 120.0  # a far move across a longer silence is lost data: split, no stop
    stationary_extent_m: float = 150.0  # a "trip" that never leaves this radius is parked heartbeats
    # places
    place_radius_m: float = 100.0     # stops closer than this (chained) form one place
    # labels
    label_radius_m: float = 250.0     # a given label matches the nearest place within this
    # model
    validation_fraction: float = 0.25
    # labelled vehicles held out of everything that is chosen (weights, thresholds, labeller,
    # features): their accuracy is the number to trust (auditor.pipeline.splits)
    test_fraction: float = 0.2
    oof_folds: int = 5
    # gradient boosting, kept coarse on purpose: a few wrong labels (~5% in real surveys)
    # must not be memorised, or the model repeats them on its own training vehicles
    max_iter: int = 30
    learning_rate: float = 0.25
    max_leaf_nodes: int = 8
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    work_min_p: float = 0.3           # a vehicle's best work candidate needs at least this p_work
    # refit once with the labels the out-of-fold model doubts down-weighted (a population whose
    # labels are all wrong the same way must not teach the model its mistake)
    robust_refit: bool = True
    # ...where a label the model finds only unremarkable ('other') is kept if the 02:00 rule
    # gives it the same class (model.label_trust: part-timers' work, three shifts a week)
    refit_rule_vouches: bool = True
    # which labeller produces the run's labels: "auto" (the one the training vehicles support
    # best, out-of-fold), or "model", "stacked", "baseline" to force one
    labeller: str = "auto"
    # train a second model beside the plain one, with each training vehicle's places also seen
    # with its clock moved 12 h (night-shift twins, model.train_with_twins), and keep it where
    # it gets more training places right out-of-fold
    night_twins: bool = True
    # ...or as many, with a lower out-of-fold log-loss (how sure each was of the given labels)
    night_twins_ties_by_log_loss: bool = True
    # ...where "as many" is any split of the places only one of the two gets right that a
    # sign test finds this likely from two equally good models (0: exactly as many)
    night_twins_clear_p: float = 0.05
    # fleet processing
    batch_vehicles: int = 200
    # feature groups the model does not see (auditor.pipeline.feature_groups); sorted tuple
    without: tuple = ()

    def __post_init__(self):
        from auditor.pipeline.feature_groups import check_groups  # pandas-free
        object.__setattr__(self, "without", check_groups(self.without))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["without"] = list(self.without)
        return d

    @classmethod
    def from_any(cls, config: "InferConfig | dict | None") -> "InferConfig":
        return settings_from(cls, config, "infer")


# What the data needs, not an experiment: a later infer given no value keeps the latest run's
# (a fleet whose devices go quiet at lights needs a longer gap every time; a workplace whose
# lots lie 400 m from its address needs a wider label radius every time — the window's Run ▸
# Infer included). --without, --model-from and --weights-from are one run's choice.
KEPT_SETTINGS = ("gap_minutes", "label_radius_m")


def with_kept(given: dict | None, earlier: dict) -> tuple[InferConfig, dict]:
    """(config, the settings taken from ``earlier`` that differ from the defaults): ``given``
    (settings the caller named) over the earlier run's KEPT_SETTINGS over the defaults."""
    default = InferConfig()
    kept = {k: earlier[k] for k in KEPT_SETTINGS
            if k in earlier and k not in (given or {}) and earlier[k] != getattr(default, k)}
    return InferConfig.from_any({**kept, **(given or {})}), kept

