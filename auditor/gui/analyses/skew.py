"""Skew and leakage tab: per feature the statistic's value, its threshold and the sample sizes
(never only a verdict), population skew, and the leakage findings in words."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from auditor.analysis.results import Analysis
from auditor.gui.analyses.common import fill_table, fmt, item, rate_color, read_only_table
from auditor.state.app_state import AppState

FEATURE_HEADERS = ["feature", "kind", "statistic", "value", "threshold", "PSI", "PSI warn / alert",
                   "KS p-value", "n reference", "n current", "flag", "note"]
FCOL = {h: i for i, h in enumerate(FEATURE_HEADERS)}
POPULATION_HEADERS = ["column", "value", "place class", "feature", "Wasserstein / std",
                      "threshold", "population mean", "rest mean", "n population", "n rest", "flag"]
COMPARISONS = {"validation": "validation vs train", "unlabelled": "unlabelled vs train",
               "recent": "recent days vs first days (features recomputed per window)"}
_FLAG_BG = rate_color(1.0)


def feature_row(r: dict) -> list:
    """One comparison result as cells: the statistic, its threshold and the n behind it."""
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
    bg = _FLAG_BG if r.get("flag") else None
    return [item(r["feature"], background=bg), item(r["kind"]), item(stat),
            item(fmt(value), value), item(fmt(threshold), threshold),
            item(fmt(r.get("psi")), r.get("psi"), tooltip=r.get("psi_level")),
            item(f"{fmt(warn)} / {fmt(alert)}"),
            item(fmt(r.get("ks_pvalue")), r.get("ks_pvalue")),
            item(fmt(r["n_reference"]), r["n_reference"]),
            item(fmt(r["n_current"]), r["n_current"]),
            item("FLAG" if r.get("flag") else "ok", int(bool(r.get("flag"))), background=bg),
            item(note, tooltip=note or None)]


def population_row(r: dict) -> list:
    bg = _FLAG_BG if r.get("flag") else None
    return [item(r["column"], background=bg), item(r["value"]), item(r["place_class"]),
            item(r["feature"]), item(fmt(r["wasserstein_std"]), r["wasserstein_std"]),
            item(fmt(r["threshold"]), r["threshold"]), item(fmt(r["population_mean"])),
            item(fmt(r["rest_mean"])), item(fmt(r["n_population"]), r["n_population"]),
            item(fmt(r["n_rest"]), r["n_rest"]),
            item("FLAG" if r.get("flag") else "ok", int(bool(r.get("flag"))), background=bg)]


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
        self.comparison = QComboBox()
        self.comparison.setObjectName("skewComparison")
        for key, text in COMPARISONS.items():
            self.comparison.addItem(text, key)
        self.comparison.currentIndexChanged.connect(self._show_comparison)
        self.caption = QLabel()
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setWordWrap(True)
        self.features = read_only_table(FEATURE_HEADERS, "skewFeatures")
        self.populations = read_only_table(POPULATION_HEADERS, "populationSkew")
        self.leakage = QLabel()
        self.leakage.setObjectName("leakageText")
        self.leakage.setTextFormat(Qt.TextFormat.PlainText)
        self.leakage.setWordWrap(True)
        self.leakage.setAlignment(Qt.AlignmentFlag.AlignTop)
        leak_scroll = QScrollArea()
        leak_scroll.setWidgetResizable(True)
        leak_scroll.setWidget(self.leakage)

        features = QWidget()
        fl = QVBoxLayout(features)
        fl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Compare:"))
        row.addWidget(self.comparison)
        row.addWidget(self.caption, 1)
        fl.addLayout(row)
        fl.addWidget(self.features, 1)
        pops = QWidget()
        pl = QVBoxLayout(pops)
        pl.setContentsMargins(0, 0, 0, 0)
        self.populations_caption = QLabel()
        self.populations_caption.setTextFormat(Qt.TextFormat.PlainText)
        self.populations_caption.setWordWrap(True)
        pl.addWidget(self.populations_caption)
        pl.addWidget(self.populations, 1)
        # the dock is short: the three parts side by side as tabs, each with the full height
        self.parts = QTabWidget()
        self.parts.setObjectName("skewParts")
        self.parts.setTabPosition(QTabWidget.TabPosition.West)
        self.parts.addTab(features, "Features")
        self.parts.addTab(pops, "Populations")
        self.parts.addTab(leak_scroll, "Leakage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.parts)

    def set_analysis(self, analysis: Optional[Analysis]) -> None:
        self.analysis = analysis
        skew = analysis.report["skew"] if analysis is not None else {}
        self._show_comparison()
        pops = skew.get("populations") or {}
        fill_table(self.populations, [population_row(r) for r in pops.get("top") or []])
        self.populations_caption.setText(
            f"Population skew ({pops['method']}; populations of ≥ {pops['min_vehicles']} "
            "vehicles), largest first:" if pops else "")
        self.leakage.setText(leakage_text(skew.get("leakage") or {}))

    def _show_comparison(self) -> None:
        key = self.comparison.currentData()
        comps = self.analysis.report["skew"]["comparisons"] if self.analysis is not None else {}
        comp = comps.get(key)
        if comp is None:
            fill_table(self.features, [])
            self.caption.setText("")
            return
        rows = comp["features"]
        self.caption.setText(
            f"{comp['n_current_places']:,} {key} places against {comp['n_reference_places']:,} "
            f"{comp['reference']} places; {len(comp['flagged'])} of {len(rows)} features flagged.")
        fill_table(self.features, [feature_row(r) for r in rows])
