"""Which labeller produced a run's labels, and how it compares with the 02:00 baseline (for the
report's text and JSON). The choice itself is made at inference (auditor.pipeline.labeller)
and stored in the run's metrics as "labeller"."""
from __future__ import annotations

import sqlite3
from typing import Optional

from auditor.store.queries import read_run

DESCRIPTIONS = {
    "model": "the model (gradient-boosted trees on place features)",
    "stacked": "the model stacked with the 02:00 baseline's decision",
    "baseline": "the 02:00 baseline (the place parked over 02:00 is home)",
    "model_from": "a model trained elsewhere (infer --model-from)",
}


def labeller_summary(conn: sqlite3.Connection, run_id: int,
                     validation: Optional[dict] = None) -> dict:
    """{"chosen", "description", "recorded", "oof_accuracy", "training_vehicles",
    "validation_accuracy", "baseline_validation_accuracy", "rule", "night_twins", "refit"}. A run made
    before the choice existed was labelled by the model (recorded: False). night_twins: the
    model's night-shift twins ({"used", "right_plain", "right_twins", since session 32
    "log_loss_plain", "log_loss_twins", since session 36 "only_plain", "only_twins",
    "sign_test_p"}), None when not tried. refit: how many training labels
    the model's refit left out and how many the 02:00 rule vouched for ({"left_out",
    "vouched"}, model.robust_cross_fit; runs since session 33), else None."""
    metrics = read_run(conn, run_id)["metrics"] or {}
    choice = metrics.get("labeller") or {}
    if isinstance(choice, str):  # a bare name: nothing recorded about the choice
        choice = {}
    source = (metrics.get("labels_source") or {}).get("kind")
    # no labels to choose with (the baseline labelled) or a model trained elsewhere: no choice
    chosen = {"no_labels": "baseline", "model_from": "model_from"}.get(
        source, choice.get("chosen", "model"))
    validation = validation or {}
    return {
        "chosen": chosen,
        "description": DESCRIPTIONS.get(chosen, chosen),
        "recorded": bool(choice),
        "forced": bool(choice.get("forced", False)),
        "oof_accuracy": choice.get("oof_accuracy"),
        "training_vehicles": choice.get("training_vehicles"),
        "p_value": choice.get("p_value"),
        "vehicles_better_worse": choice.get("vehicles_better_worse"),
        "validation_accuracy": validation.get("accuracy"),
        "baseline_validation_accuracy": (validation.get("baseline") or {}).get("accuracy"),
        "rule": choice.get("rule"),
        "night_twins": choice.get("night_twins"),
        "refit": choice.get("refit"),
    }


def _pct(v) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def render_labeller(summary: Optional[dict]) -> list[str]:
    """A few lines for the text report: who labelled, the accuracies behind the choice, and
    which model (with or without night-shift twins) the model's probabilities came from."""
    if not summary:
        return []
    how = ("forced by the inference settings" if summary.get("forced") else
           "chosen out-of-fold on the training vehicles" if summary.get("recorded") else
           "no labels to choose with" if summary["chosen"] == "baseline" else
           "applied as trained" if summary["chosen"] == "model_from" else
           "a run made before labellers were compared")
    lines = [f"  labels by: {summary['chosen']} — {summary['description']} ({how})"]
    oof = summary.get("oof_accuracy") or {}
    if oof:
        parts = ", ".join(f"{k} {_pct(oof[k])}" for k in ("model", "stacked", "baseline")
                          if k in oof)
        lines.append(f"  out-of-fold accuracy on {summary.get('training_vehicles')} training "
                     f"vehicles: {parts}; validation: this run "
                     f"{_pct(summary.get('validation_accuracy'))}, 02:00 baseline "
                     f"{_pct(summary.get('baseline_validation_accuracy'))}")
    counts, p = summary.get("vehicles_better_worse") or {}, summary.get("p_value") or {}
    if counts:
        who = summary["chosen"] if summary["chosen"] in counts else min(
            p, key=lambda k: p[k], default=None)
        if who is not None:
            better, worse = counts[who]
            lines.append(f"  {who} vs the baseline on training vehicles: better on {better}, "
                         f"worse on {worse} (sign-flip test p = {p[who]:.3f})")
    refit = summary.get("refit")
    if refit and summary["chosen"] in ("model", "stacked"):
        line = (f"  the model's refit left out {refit['left_out']} training label(s) its first "
                "out-of-fold pass doubted")
        if refit.get("vouched"):
            line += (f"; it kept {refit['vouched']} the pass found only unremarkable, which the "
                     "02:00 rule gives the same class")
        lines.append(line)
    twins = summary.get("night_twins")
    if twins and summary["chosen"] in ("model", "stacked"):
        line = (f"  night-shift twins (training places also seen 12 h later): "
                f"{'used' if twins['used'] else 'not used'} — training places right "
                f"out-of-fold {twins['right_twins']} with them, {twins['right_plain']} without")
        has_loss = (twins.get("log_loss_twins") is not None
                    and twins.get("log_loss_plain") is not None)
        loss = (f"out-of-fold log-loss {twins.get('log_loss_twins') or 0:.4f} with them, "
                f"{twins.get('log_loss_plain') or 0:.4f} without")
        if twins["right_twins"] == twins["right_plain"] and has_loss:
            # runs since session 32 break that tie by how sure each model was
            line += f"; on that tie, {loss}"
        elif "sign_test_p" in twins and has_loss and twins["used"] == (
                twins["right_twins"] < twins["right_plain"]):
            # since session 36 a difference a sign test calls chance is a tie too
            line += (f"; the {twins['only_twins'] + twins['only_plain']} places only one of "
                     f"them gets right split {twins['only_twins']} to {twins['only_plain']}, "
                     f"as likely by chance (sign test p {twins['sign_test_p']:.2f}): {loss}")
        lines.append(line)
    return lines
