"""What every step of the import wizard shares: page numbers, words, and the files
being imported (FileEntry) with their previews."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QLabel

from auditor.ingest.columns import missing_fields
from auditor.ingest.plan import vehicle_of_file
from auditor.ingest.preview import (
    FilePreview,
    guess,
)
from auditor.ingest.readers import DATA_SUFFIXES

AUTO = "(automatic)"
NO_TZ = "Timestamps carry their own offset (or are epoch numbers)"
PAGE_FILE, PAGE_COLUMNS, PAGE_TZ, PAGE_REVIEW, PAGE_RUN = range(5)
KIND_WORDS = {"pings": "GPS pings", "labels": "given labels (home / work)",
              "vehicles": "vehicle metadata"}
FIELD_TIPS = {
    "vehicle_id": "The vehicle each row belongs to (the same ids in every file)",
    "timestamp": "When the ping was recorded: ISO-8601 with or without an offset, epoch "
                 "seconds / milliseconds, or a regional form (05.03.2026 08:15:00, "
                 "03/05/2026 8:15 AM)",
    "date": "The date, when the file writes it apart from the time of day (Datum, fecha)",
    "time_of_day": "The time of day, when the file writes it apart from the date (Uhrzeit, "
                   "hora; a 'time' column of times alone beside a date column is it too)",
    "lat": "Latitude in degrees (-90 to 90)", "lon": "Longitude in degrees (-180 to 180)",
    "speed_mps": "Speed in metres per second (optional)",
    "heading_deg": "Heading in degrees (optional)",
    "trip_id": "The source's own trip id (optional; trips are found anyway)",
    "label": "home or work",
    "point": "One column holding both coordinates, when there are no lat and lon columns: WKT "
             "POINT(lon lat), [lon, lat], or 'lat,lon' (optional)",
    **{f"{kind}_{axis}": f"{word} of the vehicle's {kind} — for labels written one row per "
                         "vehicle, instead of label, lat and lon (optional)"
       for kind in ("home", "work") for axis, word in (("lat", "Latitude"), ("lon", "Longitude"))},
}
IMPORT_ORDER = {"vehicles": 0, "pings": 1, "labels": 2}  # metadata first: pings may need it
DATA_FILTER = (f"Data files ({' '.join('*' + s for s in DATA_SUFFIXES)} *.gz);;"
               "All files (*)")


class FrameModel(QAbstractTableModel):
    """A small DataFrame (the preview, quarantined rows) in a table; all cells plain text."""

    def __init__(self, frame: pd.DataFrame, parent=None):
        super().__init__(parent)
        self.frame = frame

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.frame.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return str(self.frame.iat[index.row(), index.column()])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return str(self.frame.columns[section])
        return str(section + 1)


# the vehicle_id choice that makes every row one vehicle's (ingest --vehicle)
ONE_VEHICLE = "one vehicle, named after the file"


@dataclass
class FileEntry:
    """One file of the import and what the analyst said about it."""
    path: Path
    preview: Optional[FilePreview] = None
    error: Optional[str] = None
    kind_choice: Optional[str] = None        # None: guessed from the columns
    column_map: dict = field(default_factory=dict)  # field -> column the analyst picked
    # every row is one vehicle's, named after the file (no vehicle column: one car's log)
    one_vehicle: bool = False

    @property
    def loading(self) -> bool:
        return self.preview is None and self.error is None

    @property
    def gpx(self) -> bool:
        return self.path.suffix.lower() == ".gpx"

    @property
    def columns(self) -> list[str]:
        return [] if self.preview is None else [str(c) for c in self.preview.frame.columns]

    def guessed(self) -> tuple[Optional[str], dict]:
        if self.gpx:
            return "pings", {}
        return guess(self.columns, None,
                     self.preview.frame if self.preview is not None else None)

    @property
    def kind(self) -> Optional[str]:
        return "pings" if self.gpx else (self.kind_choice or self.guessed()[0])

    def found(self) -> dict:
        """field -> column as the import will read it (the analyst's picks, then aliases)."""
        found = dict(self.guessed()[1])
        for f, c in list(found.items()):  # a column the analyst gave another field is taken
            if c in self.column_map.values() and self.column_map.get(f) != c:
                del found[f]
        found.update(self.column_map)
        return found

    @property
    def vehicle(self) -> Optional[str]:
        """The id every row gets (``one_vehicle``: the file's name without its suffix)."""
        return vehicle_of_file(self.path) if self.one_vehicle and not self.gpx else None

    def missing(self) -> list[str]:
        if self.gpx or self.kind is None:
            return []
        found = self.found()
        if self.vehicle is not None:
            found["vehicle_id"] = ONE_VEHICLE
        return missing_fields(self.kind, found)

    def problem(self) -> Optional[str]:
        """Why this file cannot be imported as it stands (None: it can)."""
        name = self.path.name
        if self.error:
            return self.error
        if self.loading:
            return f"{name}: reading the file…"
        if self.kind is None:
            return (f"{name}: cannot tell what it holds — choose pings, labels or vehicles "
                    "on the first page")
        missing = self.missing()
        if missing:
            return (f"{name}: {missing[0]}: no column found — pick one"
                    + (f" (or '{ONE_VEHICLE}' when the file is one vehicle's)"
                       if missing[0] == "vehicle_id" else ""))
        return None


def problem_label(name: str = "") -> QLabel:
    """The red line under a page that says why Next (or Import) is off."""
    label = QLabel()
    if name:
        label.setObjectName(name)
    label.setStyleSheet("color: #b00020")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
