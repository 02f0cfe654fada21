"""The application's state, without Qt: the open project and run, the one current place /
vehicle / trip, the places an analysis view picked, the analyst's flag stack, the run's
analysis, and the settings views read. Views change it through its methods and follow it
through its events; nothing else holds selection. One instance per main window."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Protocol

from auditor.audit.flags import FlagSpec
from auditor.audit.undo_stack import FlagStack
from auditor.errors import UserError
from auditor.state.engine_choice import EngineChoice
from auditor.state.events import Event
from auditor.state.outside import OutsideChanges
from auditor.state.project import OpenProject
from auditor.store import lookups

if TYPE_CHECKING:
    from auditor.analysis.results import Analysis

BROWSER, QUEUE = "browser", "queue"  # the lists N can walk


class Settings(Protocol):
    """What the state reads and writes of the settings (the GUI passes its QSettings-backed
    AppSettings; tests may pass any object with these attributes). The basemap is not one of
    them: it belongs to each project (auditor.maps.basemap)."""
    analyst: str


@dataclass(frozen=True)
class Selection:
    vehicle_id: Optional[str] = None
    place_id: Optional[str] = None
    trip_id: Optional[str] = None
    whole_vehicle: bool = False  # the vehicle was asked for, not the place: show all of it


@dataclass(frozen=True)
class PlaceSubset:
    """Places an analysis view picked (a confusion cell, a tree node, a population row)."""
    place_ids: tuple[str, ...]
    description: str


class AppState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.project: Optional[OpenProject] = None
        self.selection = Selection()
        self.walk = BROWSER          # the list N walks: the one the current place came from
        self.subset: Optional[PlaceSubset] = None
        self.analysis: Optional["Analysis"] = None
        self.flag_stack: Optional[FlagStack] = None
        self.outside: Optional[OutsideChanges] = None  # what other processes write
        self.project_changed = Event("project_changed")      # (OpenProject | None)
        self.selection_changed = Event("selection_changed")  # (new Selection, old Selection)
        self.subset_changed = Event("subset_changed")        # (PlaceSubset | None)
        self.flags_changed = Event("flags_changed")          # (FlagSpec | None, op)
        self.flags_changed.connect(self._own_flags_seen)
        self.analysis_changed = Event("analysis_changed")    # (Analysis | None)
        self.settings_changed = Event("settings_changed")    # (name)
        self.message = Event("message")                      # (text) for the status bar

    # --- project ---------------------------------------------------------------------------
    @property
    def conn(self):
        return None if self.project is None else self.project.conn

    @property
    def run_id(self) -> Optional[int]:
        return None if self.project is None else self.project.run_id

    def open_project(self, path: str | Path, create: bool = False) -> OpenProject:
        project = OpenProject(path, create=create)  # a bad file fails before we switch
        self._drop_project()
        self.project = project
        self._attach_flags()
        self.project_changed.emit(project)
        return project

    def reload(self) -> None:
        """After an import or inference: the same file, its new run, every view again."""
        if self.project is not None:
            self.open_project(self.project.path)

    def close_project(self) -> None:
        if self.project is None:
            return
        self._drop_project()
        self.project_changed.emit(None)

    def _drop_project(self) -> None:
        self.selection = Selection()
        self.walk = BROWSER
        self.subset = None
        self.flag_stack = None
        self.outside = None
        if self.analysis is not None:
            self.set_analysis(None)
        if self.project is not None:
            self.project.close()
            self.project = None

    # --- selection: the one current place ----------------------------------------------------
    def _set_selection(self, new: Selection) -> None:
        old = self.selection
        if new == old:
            return
        self.selection = new
        self.selection_changed.emit(new, old)

    def select_place(self, place_id: str, via: Optional[str] = None,
                     whole_vehicle: bool = False) -> bool:
        """Make ``place_id`` the current place (False if the project has no such place).
        ``via`` names the list it was picked from (BROWSER, QUEUE): N walks that list."""
        if self.project is None:
            return False
        vehicle = lookups.vehicle_of_place(self.conn, place_id)
        if vehicle is None:
            return False
        if via is not None:
            self.walk = via
        old = self.selection
        trip = old.trip_id if vehicle == old.vehicle_id else None
        self._set_selection(Selection(vehicle, place_id, trip, whole_vehicle))
        return True

    def select_vehicle(self, vehicle_id: str) -> None:
        """Show the whole vehicle with its first place current (UserError if unknown)."""
        if self.project is None:
            return
        if not lookups.has_vehicle(self.conn, vehicle_id):
            raise UserError(f"vehicle {vehicle_id!r} is not in {self.project.path.name} — "
                            "pick one from the table")
        place = lookups.first_place_of(self.conn, vehicle_id)
        if place is not None:
            self.select_place(place, whole_vehicle=True)
        else:
            self._set_selection(Selection(vehicle_id, None, None, True))

    def select_label_point(self, vehicle_id: str, lat: float, lon: float,
                           via: Optional[str] = None) -> Optional[str]:
        """A label that matched no place: its vehicle, whole, with the place nearest to the
        label current (the map draws the label beside it). Returns that place, or None when
        the vehicle has no place (then the vehicle alone is current, if it is known)."""
        if self.project is None:
            return None
        near = lookups.nearest_place(self.conn, vehicle_id, float(lat), float(lon))
        if near is not None:
            self.select_place(near[0], via=via, whole_vehicle=True)
            return near[0]
        if lookups.has_vehicle(self.conn, vehicle_id):
            if via is not None:
                self.walk = via
            self._set_selection(Selection(vehicle_id, None, None, True))
        return None

    def select_trip(self, trip_id: Optional[str]) -> bool:
        if self.project is None:
            return False
        if trip_id is None:
            self._set_selection(replace(self.selection, trip_id=None))
            return True
        vehicle = lookups.vehicle_of_trip(self.conn, trip_id)
        if vehicle is None:
            return False
        old = self.selection
        place = old.place_id if vehicle == old.vehicle_id else None
        self._set_selection(Selection(vehicle, place, trip_id, old.whole_vehicle and
                                      vehicle == old.vehicle_id))
        return True

    def show_places(self, place_ids, description: str) -> None:
        """An analysis view's places: the browser shows exactly these (and N walks them)."""
        self.subset = PlaceSubset(tuple(str(p) for p in place_ids), description)
        self.walk = BROWSER
        self.subset_changed.emit(self.subset)

    def clear_subset(self) -> None:
        if self.subset is not None:
            self.subset = None
            self.subset_changed.emit(None)

    # --- analysis ------------------------------------------------------------------------------
    def set_analysis(self, analysis: Optional["Analysis"]) -> None:
        self.analysis = analysis
        self.analysis_changed.emit(analysis)

    # --- flags ---------------------------------------------------------------------------------
    def _attach_flags(self) -> None:
        analyst = (self.settings.analyst or "").strip()
        self.flag_stack = (FlagStack.from_log(self.conn, analyst)
                           if self.project is not None and analyst else None)
        self.outside = OutsideChanges(self.conn) if self.project is not None else None

    def _own_flags_seen(self, spec, op: str) -> None:
        if self.outside is not None and op != "resync":
            self.outside.seen()

    def check_outside(self) -> bool:
        """Called now and then (the GUI's timer). Another window or process stored a run (an
        `auditor infer` in a terminal replaces the places shown here): the project is opened
        again on its new run, the same vehicle current, so a flag never lands on a place the
        window no longer shows. It added flags (an import, a review, a second analyst): the
        undo stack re-reads the log and every view is told to re-read ("resync"). True when
        either happened."""
        if self.outside is None:
            return False
        change = self.outside.look()
        if change.run is not None and change.run != self.run_id:
            vehicle = self.selection.vehicle_id
            self.reload()
            if vehicle is not None:
                try:
                    self.select_vehicle(vehicle)
                except UserError:  # no longer in the project
                    pass
            self.message.emit(f"Run {change.run} was stored by another window or process — "
                              "showing it now")
            return True
        if not change.flags:
            return False
        if self.flag_stack is not None:
            self.flag_stack.refresh()
        self.flags_changed.emit(None, "resync")
        self.message.emit("Flags were added or reviewed in another window or process — the "
                          "views show them now")
        return True

    # --- inference engine (Run ▸ Engine…) ----------------------------------------------------
    @property
    def engine_choice(self) -> EngineChoice:
        return EngineChoice.from_text(getattr(self.settings, "infer_engine", None))

    def set_engine_choice(self, choice: EngineChoice) -> EngineChoice:
        """Check and keep the engine Run ▸ Infer uses (UserError naming what to fix)."""
        choice = choice.checked()
        self.settings.infer_engine = choice.to_text()
        self.settings_changed.emit("infer_engine")
        return choice

    def set_analyst(self, name: str) -> None:
        self.settings.analyst = name.strip()
        self._attach_flags()
        self.settings_changed.emit("analyst")
        self.flags_changed.emit(None, "resync")

    def flag(self, spec: FlagSpec) -> int:
        """Append a flag (UserError when refused, e.g. it changes nothing)."""
        if self.flag_stack is None:
            raise UserError("set your analyst name (Edit ▸ Analyst name…) before flagging")
        event_id = self.flag_stack.do(spec)
        # as stored: a trip becomes the ping range it covers, which undo later names
        self.flags_changed.emit(self.flag_stack.spec_of(event_id), "flag")
        return event_id

    def flag_place(self, action: str, value: Optional[str] = None,
                   note: Optional[str] = None) -> Optional[int]:
        """Flag the current place; None when there is no current place."""
        place = self.selection.place_id
        if place is None:
            return None
        return self.flag(FlagSpec("place", place, action, value, note))

    def flag_trip(self, note: Optional[str] = None) -> Optional[int]:
        """The current trip is bad data (stored as the ping range it covers)."""
        trip = self.selection.trip_id
        if trip is None:
            return None
        return self.flag(FlagSpec("trip", trip, "bad_data", None, note))

    def flag_places(self, place_ids, action: str, value: Optional[str] = None,
                    note: Optional[str] = None) -> Optional[dict]:
        """Flag many places in ONE undo step (a lasso's selection): "model_wrong",
        "bad_data" or "label_wrong" with ``value``. Places it would change nothing for are
        skipped (UserError when all are). Returns FlagStack.do_many's summary (``entry``,
        ``event_ids``, ``skipped``); None for an empty selection."""
        ids = [str(p) for p in place_ids]
        if not ids:
            return None
        if self.flag_stack is None:
            raise UserError("set your analyst name (Edit ▸ Analyst name…) before flagging")
        done = self.flag_stack.do_many([FlagSpec("place", p, action, value, note) for p in ids])
        self.flags_changed.emit(self.flag_stack.spec_of(done["entry"]), "flag")
        return done

    # --- orphaned flags: place flags that point at no place since the last infer ----------
    def orphaned_flags(self) -> list[dict]:
        """The orphans now (the log's, not the cached report's): event_id, analyst, action,
        new_value, note, flagged_target_id, anchor_vehicle_id, lat/lon (the anchor's centre),
        anchor_first_ts/anchor_last_ts, how, detail."""
        if self.project is None:
            return []
        from auditor.audit.flags import orphaned_flags
        frame = orphaned_flags(self.conn)
        return [{k: (None if _missing(v) else v) for k, v in r.items()}
                for r in frame.to_dict("records")]

    def reattach_candidates(self, event_id: int, limit: int = 5) -> list[dict]:
        """Places an orphan could go to: those holding its stops first, then the nearest."""
        if self.project is None:
            return []
        from auditor.audit.flags import place_candidates
        return place_candidates(self.conn, int(event_id), limit)

    def reattach_flag(self, event_id: int, place_id: str, note: Optional[str] = None) -> int:
        """Point orphaned place flag ``event_id`` at ``place_id``: a new flag event that
        says the same and replaces it, one undo step (UserError when refused)."""
        if self.flag_stack is None:
            raise UserError("set your analyst name (Edit ▸ Analyst name…) before re-attaching "
                            "a flag")
        new_id = self.flag_stack.reattach(int(event_id), str(place_id), note)
        self.flags_changed.emit(self.flag_stack.spec_of(new_id), "flag")
        return new_id

    def revoke_flag(self, event_id: int, note: Optional[str] = None) -> int:
        """Revoke flag ``event_id`` (an orphan nobody can place), one undo step."""
        if self.flag_stack is None:
            raise UserError("set your analyst name (Edit ▸ Analyst name…) before revoking "
                            "a flag")
        rid = self.flag_stack.dismiss(int(event_id), note)
        self.flags_changed.emit(self.flag_stack.spec_of(rid), "flag")
        return rid

    def next_review(self, after: Optional[int] = None):
        """The next flag this analyst should review (auditor.state.review.ReviewItem, with its
        evidence), or None when none is pending for them."""
        if self.project is None or self.flag_stack is None:
            return None
        from auditor.state.review import next_review
        return next_review(self.conn, self.flag_stack.analyst, after, self.run_id)

    def review(self, event_id: int, decision: str, label: Optional[str] = None,
               note: Optional[str] = None) -> int:
        """This analyst's decision (accept | reject | amend) on flag ``event_id``: one undo
        step; UserError for one's own flag and the other refusals of auditor.audit.review."""
        if self.flag_stack is None:
            raise UserError("set your analyst name (Edit ▸ Analyst name…) before reviewing")
        review_id = self.flag_stack.decide(event_id, decision, label, note)
        self.flags_changed.emit(self.flag_stack.spec_of(review_id), "flag")
        return review_id

    def undo(self, expected: Optional[FlagSpec] = None) -> FlagSpec:
        """Revoke the analyst's last flag. ``expected``: the flag the caller (the Edit menu)
        names; when the log says otherwise nothing is done, UserError says why, and views are
        told to re-read ("resync")."""
        return self._step("undo", expected)

    def redo(self, expected: Optional[FlagSpec] = None) -> FlagSpec:
        return self._step("redo", expected)

    def _step(self, op: str, expected: Optional[FlagSpec]) -> FlagSpec:
        stack = self.flag_stack
        if stack is None:
            raise UserError(f"nothing to {op}")
        stack.refresh()  # the log may have changed: another analyst, an import of flags
        ids = stack.undo_ids() if op == "undo" else stack.redo_ids()
        spec = stack.spec_of(ids[-1]) if ids else None
        if spec is None or (expected is not None and not _same_flag(spec, expected)):
            self.flags_changed.emit(None, "resync")
            what = "" if expected is None else f" the Edit menu offered to {op} " \
                f"“{_words(expected)}”"
            raise UserError(f"the flag log changed since{what} (flags were revoked or added "
                            f"elsewhere); nothing was done — the Edit menu now offers what is "
                            f"left to {op}")
        try:
            (stack.undo if op == "undo" else stack.redo)()
        except UserError:
            stack.refresh()
            self.flags_changed.emit(None, "resync")
            raise
        self.flags_changed.emit(spec, op)
        self._show_change(spec, op)
        return spec

    def _show_change(self, spec: FlagSpec, op: str) -> None:
        """After an undo or redo: the place (or the trip's vehicle) it touched becomes current,
        and the status bar says what changed — nothing changes off-screen without a word."""
        from auditor.audit.flags import STATE_TEXT, parse_ping_range
        from auditor.audit.undo_stack import FlagBatch
        target, now = spec.target_id, ""
        if isinstance(spec, FlagBatch):
            # a lasso's flags (one undo step): the browser and map show exactly those places
            if spec.target_kind == "place":
                self.show_places(spec.targets, f"{op}: {_words(spec)}")
        elif spec.reviews is not None:
            # a review decision (accept / reject / amend) on a flag: show the flag's target
            if spec.target_kind == "place" and lookups.vehicle_of_place(self.conn, target):
                self.select_place(target)
        elif spec.target_kind == "place" and lookups.vehicle_of_place(self.conn, target):
            label, source = lookups.place_label_now(self.conn, target)
            if spec.action == "label_wrong":
                now = f"; its label is now {label or 'none (counts as other)'}" + \
                    (" (the given label)" if source == "given" else
                     " (an analyst's correction)" if source == "flag" else "")
            else:
                held = spec.action in {f["action"] for f in lookups.place_flags(self.conn,
                                                                                 target)}
                now = f"; it is {'' if held else 'no longer '}marked " \
                    f"{STATE_TEXT.get(spec.action, spec.action)}"
            self.select_place(target)
        elif spec.target_kind == "ping_range":
            vehicle, start, end = parse_ping_range(target)
            trip = lookups.trip_covering(self.conn, vehicle, start, end)
            if trip is not None:
                self.select_trip(trip)
            target = f"trip {trip}" if trip else f"pings of {vehicle}"
        elif spec.target_kind == "vehicle" and lookups.has_vehicle(self.conn, target):
            self.select_vehicle(target)
        what = _words(spec)
        self.message.emit(
            (f"Undone: “{what}” was taken back" if op == "undo" else
             f"Redone: “{what}” applies again") + f" — {target} shown{now}")

    # --- settings ----------------------------------------------------------------------------
    @property
    def basemap(self) -> str:
        """The open project's basemap ('none' without a project)."""
        return "none" if self.project is None else self.project.basemap

    def set_basemap(self, basemap: str) -> str:
        """Store the open project's basemap (UserError for one the core refuses, e.g. plain
        http); committed at once, and only for this project."""
        from auditor.maps.basemap import set_project_basemap
        if self.project is None:
            raise UserError("open a project first: the basemap is chosen per project")
        value = set_project_basemap(self.conn, basemap)
        self.project.basemap = value
        self.settings_changed.emit("basemap")
        return value


def _missing(v) -> bool:
    """NaN / NA from a frame row (no pandas import here)."""
    return v is None or type(v).__name__ in ("NAType", "NaTType") or (
        isinstance(v, float) and v != v)


def _same_flag(a: FlagSpec, b: FlagSpec) -> bool:
    """The same assertion (the note does not matter); a re-attachment names the flag it
    takes over."""
    return (a.target_kind, a.target_id, a.action, a.new_value, a.replaces) == \
        (b.target_kind, b.target_id, b.action, b.new_value, b.replaces)


def _words(spec: FlagSpec) -> str:
    from auditor.audit.undo_stack import describe
    return describe(spec)
