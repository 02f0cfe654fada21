"""What the Flag menu, its keys (H W O M X N) and the details pane's buttons do: flag the
current place or trip, walk to the next place of the list it came from, ask the analyst's
name; and after a click on the map or the timeline, or a dialog, give the keyboard back to
that list so the keys act at once."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from auditor.gui.settings import default_analyst
from auditor.state.app_state import QUEUE

if TYPE_CHECKING:
    from auditor.gui.main_window import MainWindow


class FlagKeys:
    def __init__(self, window: "MainWindow"):
        self.window = window
        self.state = window.state
        self.state.subset_changed.connect(lambda subset: self.restore_focus())
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_changed)

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.disconnect(self._focus_changed)

    # --- keyboard focus -----------------------------------------------------------------------
    def restore_focus(self) -> None:
        """The keyboard back to the list N walks (the queue or the browser table)."""
        w = self.window
        if not w.isVisible() or self.state.project is None:
            return
        target = w.browser.table
        if self.state.walk == QUEUE and w.analysis.isVisible():
            target = w.analysis.view("suspicious").table
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_changed(self, old, now) -> None:
        w = self.window
        if now is not None and now.window() is w and (
                now is w.map or w.map.isAncestorOf(now) or w.timeline.isAncestorOf(now)):
            QTimer.singleShot(0, self.restore_focus)

    # --- flags and navigation ------------------------------------------------------------------
    def next_row(self) -> None:
        """N: the next place of the list the current place was picked from."""
        if self.state.walk == QUEUE and self.state.analysis is not None:
            if not self.window.analysis.view("suspicious").select_next():
                self.state.message.emit("End of the suspicious-labels queue")
        elif not self.window.browser.select_next_row():
            self.state.message.emit("End of the table")
        self.restore_focus()

    def ensure_analyst(self) -> Optional[str]:
        settings = self.window.settings
        if not settings.analyst and (not self.window.interactive or not self.ask_analyst()):
            return None
        if self.state.flag_stack is None and self.state.project is not None:
            self.state.set_analyst(settings.analyst)
        return settings.analyst

    def ask_analyst(self) -> bool:
        name, ok = QInputDialog.getText(self.window, "Analyst name",
                                        "Your name (kept with every flag):",
                                        text=self.window.settings.analyst or default_analyst())
        self.restore_focus()
        if not ok or not name.strip():
            return False
        self.state.set_analyst(name)
        return True

    def flag_place(self, action: str, value: Optional[str] = None) -> Optional[int]:
        """H / W / O / M / X and the details pane's buttons: flag the current place."""
        place = self.state.selection.place_id
        if place is None:
            self.state.message.emit("Select a place first")
            return None
        what = f"label is wrong, it is {value}" if action == "label_wrong" else \
            action.replace("_", " ")
        return self._flag(lambda note: self.state.flag_place(action, value, note),
                          f"{place}: {what}")

    def flag_trip(self) -> Optional[int]:
        trip = self.state.selection.trip_id
        if trip is None:
            self.state.message.emit("Select a trip first (map or timeline)")
            return None
        return self._flag(lambda note: self.state.flag_trip(note), f"trip {trip}: bad data")

    def _flag(self, make: Callable[[Optional[str]], Optional[int]], what: str) -> Optional[int]:
        if self.state.project is None or self.ensure_analyst() is None:
            return None
        panel = self.window.panel
        try:
            event_id = make(panel.note_text())
        except Exception as exc:  # refused, or busy elsewhere: Retry flags the same again
            self.window.report_error(exc, "flagging", retry=lambda: self._flag(make, what))
            return None
        panel.clear_note()
        self.state.message.emit(f"Flagged {what} (Ctrl+Z takes it back)")
        self.restore_focus()
        return event_id
