"""What the app remembers between runs (QSettings, organisation "auditor"): the analyst's name,
recent projects, and the window layout. (The basemap is not here: each project keeps its own,
auditor.maps.basemap, so turning tiles on for one never sends another's homes anywhere.)"""
from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "auditor"
APPLICATION = "auditor"
MAX_RECENT = 8
BASEMAP_NONE, BASEMAP_OSM = "none", "osm"


def valid_tile_url(url: str) -> bool:
    """A custom basemap must be an https://…{z}…{x}…{y}… template (the core's rule,
    auditor.maps.basemap: plain http is refused)."""
    from auditor.errors import UserError
    from auditor.maps.basemap import check_basemap, kind
    try:
        return kind(check_basemap(url)) == "url"
    except UserError:
        return False


def default_analyst() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): the analyst types one
        return ""


class AppSettings:
    """Typed access to QSettings. Tests pass their own QSettings (an .ini in a temp dir)."""

    def __init__(self, qsettings: QSettings | None = None):
        self.qs = qsettings if qsettings is not None else QSettings(ORGANISATION, APPLICATION)

    # analyst -----------------------------------------------------------------------------
    @property
    def analyst(self) -> str:
        return str(self.qs.value("analyst", "") or "")

    @analyst.setter
    def analyst(self, name: str) -> None:
        self.qs.setValue("analyst", name.strip())

    # inference engine (auditor.state.engine_choice, as JSON) ------------------------------
    @property
    def infer_engine(self) -> str:
        return str(self.qs.value("infer/engine", "") or "")

    @infer_engine.setter
    def infer_engine(self, text: str) -> None:
        self.qs.setValue("infer/engine", text)

    # recent projects ---------------------------------------------------------------------
    @property
    def recent(self) -> list[str]:
        value = self.qs.value("recent", [])
        if isinstance(value, str):  # QSettings returns a lone string for a 1-item list
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        items = [p for p in self.recent if p != path]
        self.qs.setValue("recent", ([path] + items)[:MAX_RECENT])

    def existing_recent(self) -> list[str]:
        return [p for p in self.recent if Path(p).is_file()]

    # layout ------------------------------------------------------------------------------
    def save_layout(self, geometry: QByteArray, state: QByteArray,
                    splitters: dict[str, QByteArray]) -> None:
        self.qs.setValue("layout/geometry", geometry)
        self.qs.setValue("layout/state", state)
        for name, data in splitters.items():
            self.qs.setValue(f"layout/splitter/{name}", data)

    def layout_value(self, key: str) -> QByteArray | None:
        value = self.qs.value(f"layout/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def clear_layout(self) -> None:
        self.qs.remove("layout")

    def sync(self) -> None:
        self.qs.sync()
