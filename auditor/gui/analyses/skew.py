"""Skew and leakage tab: per feature the statistic's value, its threshold and the sample sizes
(never only a verdict), population skew, and the leakage findings in words."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from auditor.analysis.results import Analysis
from auditor.analysis.words import feature_words, skew_feature_words, within_noise
from auditor.gui.analyses.common import (
    fill_table,
    fmt,
    header_tips,
    item,
    rate_color,
    read_only_table,
    text_label,
)
from auditor.gui.text import tip
from auditor.state.app_state import AppState

FEATURE_HEADERS = ["finding", "feature", "verdict", "statistic", "value", "threshold", "PSI",
                   "PSI warn / alert", "KS p-value", "n reference", "n current", "note"]
FCOL = {h: i for i, h in enumerate(FEATURE_HEADERS)}
POPULATION_HEADERS = ["finding", "column", "value", "place class", "feature", "verdict",
                      "Wasserstein / std", "threshold", "population mean", "rest mean",
                      "n population", "n rest"]
PCOL = {h: i for i, h in enumerate(POPULATION_HEADERS)}
HEADER_TIPS = {
    "finding": "What the comparison found, in words. Click a row: the browser lists the places "
               "behind it, the most unusual first.",
    "feature": "The place feature or vehicle metadata column compared",
    "verdict": "'differs' when the statistic passes its threshold (or PSI its warn level) and, "
               "for numbers, the KS test tells it from sampling noise (p < 0.05); 'within "
               "noise' when it passes the threshold but KS cannot; 'same' otherwise",
    "statistic": "Numbers: Wasserstein distance in reference standard deviations; categories: "
                 "Jensen-Shannon distance",
    "value": "The statistic's value for this comparison",
    "threshold": "The value from which a feature counts as different",
    "PSI": "Population stability index over the reference's deciles",
    "PSI warn / alert": "PSI levels for a warning and an alert",
    "KS p-value": "Kolmogorov-Smirnov test p-value (numbers only); for places, from "
                  "re-drawing the comparison whole vehicles at a time, as a vehicle's places "
                  "are not independent",
    "n reference": "Values on the reference side (train places, or the first days)",
    "n current": "Values on the compared side",
    "note": "More about the comparison (new categories, KS verdict)",
    "column": "The vehicle metadata column that defines the population",
    "place class": "Which of the population's places: predicted home, work or other",
    "Wasserstein / std": "How far the population's values lie from the rest's, in the rest's "
                         "standard deviations",
    "population mean": "The feature's mean over the population's places",
    "rest mean": "The feature's mean over every other vehicle's places of the class",
    "n population": "Places of the population", "n rest": "Places of the rest",
}
COMPARISONS = {"validation": ("validation vs train", "validation places", "train places"),
               "unlabelled": ("unlabelled vs train", "unlabelled places", "train places"),
               "recent": ("recent days vs first days (features recomputed per window)",
                          "the last days", "the first days")}
_FLAG_BG = rate_color(1.0)
FEATURE_KEY = Qt.ItemDataRole.UserRole + 7


VERDICT_RANK = {"differs": 0, "within noise": 1, "same": 2}  # the table's order, findings first
_NOISE_BG = QColor(255, 236, 204)


def feature_verdict(r: dict) -> str:
    """'differs' (beyond its threshold and, for numbers, beyond sampling noise by KS),
    'within noise' (past the threshold, but KS cannot tell it from noise) or 'same'."""
    if not r.get("flag"):
        return "same"
    return "within noise" if within_noise(r) else "differs"


def feature_row(r: dict, comparison: str = "validation") -> list:
    """One comparison result as cells: the finding in words, then the statistic, its
    threshold and the n behind it."""
    if r["kind"] == "numeric":
        stat, value, threshold = "Wasserstein / std", r.get("wasserstein_std"), \
            r.get("wasserstein_threshold")
        note = ("KS significant" if r.get("ks_significant") else
                "KS not significant" if r.get("ks_pvalue") is not None else "")
    else:
        stat, value, threshold = "Jensen-Shannon", r.get("js_distance"), r.get("js_threshold")
        new = r.get("new_categories") or []
        note = ("new: " + ", ".join(map(str, new[:5])) + (" …" if len(new) > 5 else "")) if new else ""
    note = r.get("note") or note
    warn, alert = (r.get("psi_thresholds") or [None, None])[:2]
    verdict = feature_verdict(r)
    bg = {"differs": _FLAG_BG, "within noise": _NOISE_BG}.get(verdict)
    _, current, reference = COMPARISONS.get(comparison, (comparison, comparison, "reference"))
    finding = skew_feature_words(r, current, reference)
    detail = (f"{finding}\n{stat} {fmt(value)} (threshold {fmt(threshold)}), "
              f"n = {r['n_current']:,} vs {r['n_reference']:,}\nClick: the places behind it, "
              "the most unusual first")
    first = item(finding, tooltip=detail, background=bg)
    first.setData(FEATURE_KEY, r["feature"])
    return [first, item(r["feature"], tooltip=feature_words(r["feature"])),
            item(verdict, VERDICT_RANK[verdict], background=bg),
            item(stat), item(fmt(value), value), item(fmt(threshold), threshold),
            item(fmt(r.get("psi")), r.get("psi"), tooltip=r.get("psi_level")),
            item(f"{fmt(warn)} / {fmt(alert)}"),
            item(fmt(r.get("ks_pvalue")), r.get("ks_pvalue")),
            item(fmt(r["n_reference"]), r["n_reference"]),
            item(fmt(r["n_current"]), r["n_current"]),
            item(note, tooltip=note or None)]


def population_finding(r: dict) -> str:
    higher = (r.get("population_mean") or 0) > (r.get("rest_mean") or 0)
    return (f"{r['column']} {r['value']}: its {r['place_class']} places have a "
            f"{'higher' if higher else 'lower'} {feature_words(r['feature'])} than other "
            "vehicles'" + ("" if r.get("flag") else " (within the usual range)"))


def population_row(r: dict) -> list:
    bg = _FLAG_BG if r.get("flag") else None
    finding = population_finding(r)
    first = item(finding, background=bg, tooltip=(
        f"{finding}\nshifted {fmt(r['wasserstein_std'])} std (threshold {fmt(r['threshold'])}); "
        f"mean {fmt(r['population_mean'])} vs {fmt(r['rest_mean'])}\nClick: these places, "
        "the furthest from the rest first"))
    first.setData(FEATURE_KEY, ("population", r["column"], str(r["value"]), r["place_class"],
                                r["feature"]))
    return [first, item(r["column"]), item(r["value"]), item(r["place_class"]),
            item(r["feature"], tooltip=feature_words(r["feature"])),
            item("differs" if r.get("flag") else "same", int(bool(r.get("flag"))),
                 background=bg),
            item(fmt(r["wasserstein_std"]), r["wasserstein_std"]),
            item(fmt(r["threshold"]), r["threshold"]), item(fmt(r["population_mean"])),
            item(fmt(r["rest_mean"])), item(fmt(r["n_population"]), r["n_population"]),
            item(fmt(r["n_rest"]), r["n_rest"])]


def _day(ts) -> str:
    return "–" if ts is None else dt.datetime.fromtimestamp(int(ts), tz=dt.timezone.utc) \
        .strftime("%Y-%m-%d")


def leakage_text(leak: dict) -> str:
    e, loc, t = leak.get("entity") or {}, leak.get("location") or {}, leak.get("time") or {}
    lines = []
    if e:
        if e.get("n"):
            shown = ", ".join(e["vehicles_in_several_splits"][:10])
            lines.append(f"Entity leakage: {e['n']} of {e['n_vehicles']} vehicles have places in "
                         f"more than one split ({shown}) — the model was scored on vehicles it "
                         "learned. This is a bug.")
        else:
            lines.append(f"Entity leakage: none — each of {e.get('n_vehicles', 0):,} vehicles is "
                         "in exactly one split.")
    if loc:
        share = loc.get("share")
        lines.append(f"Location leakage: {loc.get('n_near_train', 0)} of "
                     f"{loc.get('n_validation', 0)} labelled validation places lie within "
                     f"{fmt(loc.get('near_m'))} m of a train place with the same label"
                     + (f" ({100 * share:.1f} %)" if share is not None else "")
                     + "; they flatter validation accuracy.")
    if t:
        tp, vp = t.get("train_period"), t.get("validation_period")
        days = (t.get("overlap_seconds") or 0) / 86400
        inside = t.get("validation_share_inside_train")
        lines.append(
            "Time overlap: train " + (f"{_day(tp[0])} – {_day(tp[1])}" if tp else "–")
            + ", validation " + (f"{_day(vp[0])} – {_day(vp[1])}" if vp else "–")
            + " (UTC dates: vehicles keep their own clocks)"
            + f"; they overlap {days:.1f} days"
            + (f", {100 * inside:.0f} % of validation stays fall inside train's period"
               if inside is not None else "")
            + (". " + t["note"] if t.get("note") else "."))
    return "\n\n".join(lines)


class SkewView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.analysis: Optional[Analysis] = None
        self.pop_rows: list[dict] = []
        self.comparison = QComboBox()
        self.comparison.setObjectName("skewComparison")
        for key, (text, _, _) in COMPARISONS.items():
            self.comparison.addItem(text, key)
        self.comparison.setToolTip("Which places are compared with which")
        self.comparison.currentIndexChanged.connect(self._show_comparison)
        self.caption = text_label()
        self.features = read_only_table(FEATURE_HEADERS, "skewFeatures")
        header_tips(self.features, HEADER_TIPS)
        self.features.setToolTip("Click a row: the browser lists the places behind it")
        self.features.cellClicked.connect(lambda row, _col: self.choose_feature(row))
        self.populations = read_only_table(POPULATION_HEADERS, "populationSkew")
        header_tips(self.populations, HEADER_TIPS)
        self.populations.cellClicked.connect(lambda row, _col: self.choose_population(row))
        self.leakage = text_label("leakageText")
        self.leakage.setAlignment(Qt.AlignmentFlag.AlignTop)
        leak_scroll = QScrollArea()
        leak_scroll.setWidgetResizable(True)
        leak_scroll.setWidget(self.leakage)

        features = QWidget()
        fl = QVBoxLayout(features)
        fl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        compare = QLabel("Compare:")
        compare.setToolTip(self.comparison.toolTip())
        row.addWidget(compare)
        row.addWidget(self.comparison)
        row.addWidget(self.caption, 1)
        fl.addLayout(row)
        fl.addWidget(self.features, 1)
        pops = QWidget()
        pl = QVBoxLayout(pops)
        pl.setContentsMargins(0, 0, 0, 0)
        self.populations_caption = text_label()
        pl.addWidget(self.populations_caption)
        pl.addWidget(self.populations, 1)
        # three parts as tabs along the top (readable words, not vertical ones), each with the
        # dock's full height
        self.parts = QTabWidget()
        self.parts.setObjectName("skewParts")
        self.parts.setDocumentMode(True)
        self.parts.addTab(features, "Features: compared places vs train")
        self.parts.addTab(pops, "Vehicle populations vs the rest")
        self.parts.addTab(leak_scroll, "Leakage between splits")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.parts)

    def set_analysis(self, analysis: Optional[Analysis]) -> None:
        self.analysis = analysis
        skew = analysis.report["skew"] if analysis is not None else {}
        self._show_comparison()
        pops = skew.get("populations") or {}
        self.pop_rows = sorted(pops.get("top") or [], key=lambda r: not r.get("flag"))
        fill_table(self.populations, [population_row(r) for r in self.pop_rows])
        n_flag = sum(1 for r in self.pop_rows if r.get("flag"))
        self.populations_caption.setText(
            (f"{n_flag} of {len(self.pop_rows)} vehicle populations (vehicles sharing a "
             "metadata value) differ from the rest in some feature — a data fault of one "
             "firmware or region shows here even when the model copes. Click a row for its "
             "places.") if pops else "")
        self.populations_caption.setToolTip(tip(
            f"{pops['method']}; populations of ≥ {pops['min_vehicles']} vehicles, largest "
            "shift first") if pops else "")
        self.leakage.setText(leakage_text(skew.get("leakage") or {}))
        self._fit_first_column(self.populations)

    def _show_comparison(self) -> None:
        key = self.comparison.currentData()
        comps = self.analysis.report["skew"]["comparisons"] if self.analysis is not None else {}
        comp = comps.get(key)
        if comp is None:
            fill_table(self.features, [])
            self.caption.setText("")
            return
        rows = sorted(comp["features"], key=lambda r: VERDICT_RANK[feature_verdict(r)])
        _, current, reference = COMPARISONS[key]
        noise = sum(feature_verdict(r) == "within noise" for r in rows)
        self.caption.setText(
            f"{len(comp['flagged'])} of {len(rows)} features differ between "
            f"{comp['n_current_places']:,} {current} and {comp['n_reference_places']:,} "
            f"{reference}" + (f" ({noise} of them within sampling noise)" if noise else "")
            + ". Click a row for its places.")
        fill_table(self.features, [feature_row(r, key) for r in rows])
        self._fit_first_column(self.features)

    @staticmethod
    def _fit_first_column(table) -> None:
        # the sentence leads; numbers follow at their natural width
        table.setColumnWidth(0, min(max(table.columnWidth(0), 260), 460))

    # --- clicks: the places behind a row ------------------------------------------------------
    def choose_feature(self, row: int) -> list[str]:
        if self.analysis is None or row < 0:
            return []
        first = self.features.item(row, 0)
        feature = first.data(FEATURE_KEY) if first is not None else None
        key = self.comparison.currentData()
        ids = self.analysis.places_of("skew", ("feature", key, feature))
        _, current, _ = COMPARISONS[key]
        if not ids:
            self.state.message.emit(f"No {current} to list for {feature}")
            return []
        self.state.show_places(ids, f"skew: {current}, the most unusual "
                                    f"{feature_words(feature)} first")
        return ids

    def choose_population(self, row: int) -> list[str]:
        first = self.populations.item(row, 0) if self.analysis is not None else None
        if first is None:
            return []
        key = first.data(FEATURE_KEY)  # the row's own key: right however the table is sorted
        _, column, value, place_class, feature = key
        ids = self.analysis.places_of("skew", tuple(key))
        if not ids:
            self.state.message.emit(f"No places of {column} {value} to list")
            return []
        self.state.show_places(ids, f"{column} {value}: {place_class} places, furthest "
                                    f"{feature_words(feature)} first")
        return ids
