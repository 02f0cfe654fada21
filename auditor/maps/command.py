"""`auditor map PROJECT --vehicle ID --out FILE.html [--basemap none|osm|URL]`."""
from __future__ import annotations

from pathlib import Path

from auditor.atomic import write_text_atomic
from auditor.maps.vehicle_map import check_basemap, render_vehicle_map
from auditor.store import open_project


def write_page(page: str, out: Path) -> None:
    """Write to a temporary name beside ``out`` and rename: never a half-written page."""
    write_text_atomic(out, page)


def run(args) -> int:
    basemap = check_basemap(getattr(args, "basemap", "none"))
    out = Path(args.out)
    conn = open_project(args.project, create=False)
    try:
        page = render_vehicle_map(conn, args.vehicle, basemap=basemap)
    finally:
        conn.close()
    write_page(page, out)
    print(f"wrote {out} ({len(page.encode('utf-8')) // 1024} KiB)")
    return 0
