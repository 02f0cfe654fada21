"""What an analysis declares to be one tab of the app, one section of `auditor report`, and one
step of its progress. The registry (auditor.analysis.registry) lists them in order."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Hashable, Optional

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs

# selector (a row's key, a node id, a confusion cell) -> the place ids it means
PlaceIndex = dict[Hashable, list[str]]


@dataclass(frozen=True)
class AnalysisEntry:
    key: str
    """The analysis' name: `auditor open --tab KEY`, the dock tab, the place index's key."""
    title: str = ""
    """The dock tab's title ('' = no tab of its own: shown by another view or only in text)."""
    step: str = ""
    """The progress message while ``compute`` runs."""
    compute: Optional[Callable[["ReportInputs"], dict[str, Any]]] = None
    """Adds its sections to the report: {json key: plain-JSON value}."""
    render_text: Optional[Callable[[dict], list[str]]] = None
    """Lines of `auditor report` (text) from the whole report."""
    places: Optional[Callable[["ReportInputs", dict], PlaceIndex]] = None
    """Which places each row / node / cell of the view means (computed off the GUI thread
    with the report, so a click answers at once)."""
    view: Optional[str] = None
    """"module:Class" of its Qt view (the core never imports the GUI; the dock does)."""
    min_height_share: float = 0.0
    """When its tab is chosen, the dock grows to at least this share of the window's height
    (a plot needs room that a table does not); 0 = leave the dock as the analyst sized it."""
