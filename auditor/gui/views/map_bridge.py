"""The one object the map page may call: two narrow slots, ids checked against the vehicle on
screen, clicks debounced so a double click or a drag-release selects once."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

DEBOUNCE_MS = 120


class MapBridge(QObject):
    placeSelected = Signal(str)
    tripSelected = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.vehicle_id: str | None = None
        self.place_ids: frozenset[str] = frozenset()
        self.trip_ids: frozenset[str] = frozenset()
        self.rejected = 0  # clicks refused (stale page or unknown id); for diagnostics
        self._pending: tuple[str, str] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._flush)

    def set_vehicle(self, vehicle_id: str | None, place_ids, trip_ids) -> None:
        self.vehicle_id = vehicle_id
        self.place_ids = frozenset(place_ids)
        self.trip_ids = frozenset(trip_ids)
        self._pending = None
        self._timer.stop()

    def _accept(self, vehicle_id: str, kind: str, target_id: str, known: frozenset[str]) -> None:
        # The page is untrusted input: a click from a page of another vehicle (a stale load) or
        # with an id this vehicle does not have is dropped.
        if vehicle_id != self.vehicle_id or target_id not in known:
            self.rejected += 1
            return
        self._pending = (kind, target_id)
        self._timer.start()

    @Slot(str, str)
    def placeClicked(self, vehicle_id: str, place_id: str) -> None:
        self._accept(vehicle_id, "place", place_id, self.place_ids)

    @Slot(str, str)
    def tripClicked(self, vehicle_id: str, trip_id: str) -> None:
        self._accept(vehicle_id, "trip", trip_id, self.trip_ids)

    def _flush(self) -> None:
        if self._pending is None:
            return
        kind, target_id = self._pending
        self._pending = None
        (self.placeSelected if kind == "place" else self.tripSelected).emit(target_id)
