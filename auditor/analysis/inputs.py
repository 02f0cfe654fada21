"""What every analysis of a run reads, read once: predictions (with the out-of-fold label),
the labelled places, vehicle metadata, local-time stops, schedules, place features and the
error tree's design matrix. Each is read on first use and kept, so analyses share them."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

import pandas as pd

from auditor.analysis import frames
from auditor.analysis.error_tree import design_matrix
from auditor.analysis.populations import vehicle_schedule
from auditor.analysis.stoptimes import local_stops
from auditor.store.queries import read_labels, table_exists


@dataclass
class ReportInputs:
    conn: sqlite3.Connection
    run_id: int
    before_run: Optional[int] = None
    # what one analysis leaves for its places index (e.g. the fitted error tree)
    memo: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def pred(self) -> pd.DataFrame:
        pred = frames.predictions(self.conn, self.run_id)
        pred["oof_label"] = frames.oof_label(pred)
        return pred

    @cached_property
    def lab(self) -> pd.DataFrame:
        return frames.labelled(self.pred)

    @cached_property
    def meta(self) -> pd.DataFrame:
        return frames.vehicle_metadata(self.conn)

    @cached_property
    def stops(self) -> pd.DataFrame:
        return local_stops(self.conn, self.meta)

    @cached_property
    def schedule(self) -> pd.Series:
        return vehicle_schedule(self.stops)

    @cached_property
    def labels(self) -> pd.DataFrame:
        return read_labels(self.conn)

    @cached_property
    def place_labels(self) -> pd.DataFrame:
        if not table_exists(self.conn, "place_labels"):
            return pd.DataFrame({"label_id": [], "place_id": []})
        return pd.read_sql_query("SELECT label_id, place_id FROM place_labels", self.conn)

    @cached_property
    def evidence(self) -> pd.DataFrame:
        """The trajectory checks on given labels (auditor.analysis.evidence): the evidence
        section lists them, the label-issue queue weighs them."""
        from auditor.analysis.evidence import label_evidence
        return label_evidence(self.labels, self.place_labels, self.stops)

    @cached_property
    def design(self) -> tuple[pd.DataFrame, dict]:
        """(X, words) of the error tree: features + metadata of the labelled places."""
        return design_matrix(self.lab, frames.place_features(self.conn), self.meta)
