"""`auditor map PROJECT --vehicle ID --out FILE.html [--basemap none|osm|URL]`."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from auditor.errors import UserError
from auditor.maps.vehicle_map import check_basemap, render_vehicle_map
from auditor.store import open_project


def write_page(page: str, out: Path) -> None:
    """Write to a temporary name beside ``out`` and rename: never a half-written page."""
    if not out.parent.is_dir():
        raise UserError(f"{out}: folder {out.parent} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(page)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
