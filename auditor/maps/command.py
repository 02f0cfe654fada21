"""`auditor map PROJECT --vehicle ID --out FILE.html [--basemap none|osm|URL|mbtiles:FILE]`."""
from __future__ import annotations

from pathlib import Path

from auditor.atomic import write_text_atomic
from auditor.failures import shown
from auditor.maps import basemap as bm
from auditor.maps.vehicle_map import vehicle_payload
from auditor.outputs import check_output_file
from auditor.store import open_project


def write_page(page: str, out: Path) -> None:
    """Write to a temporary name beside ``out`` and rename: never a half-written page."""
    write_text_atomic(out, page)


def run(args) -> int:
    out = check_output_file(args.out, project=args.project, what="the map page")
    chosen = getattr(args, "basemap", None)
    basemap = bm.check_basemap(chosen) if chosen is not None else None
    conn = open_project(args.project, create=False, readonly=True)  # reads only
    try:
        if basemap is None:  # the project's own choice (none unless one was set for it)
            basemap = bm.project_basemap(conn)
        payload = vehicle_payload(conn, args.vehicle, basemap=basemap)
    finally:
        conn.close()
    notes = []
    embedded = None
    if bm.kind(basemap) == "url" and bm.has_secrets(basemap):
        basemap = bm.public_tile_url(basemap)  # an API key never lands in a file
        notes.append("the tile URL's query string / user info (an API key?) was left out of "
                     "the page; tiles that need it will not load there")
    elif bm.kind(basemap) == "local":  # the page carries its tiles: no network, no server
        from auditor.maps.tiles import embed_tiles, open_tile_source
        with open_tile_source(basemap) as source:
            embedded = embed_tiles(source, payload["bounds"])
        notes.append(f"{len(embedded['tiles'])} local tiles embedded (zoom "
                     f"{embedded['min_zoom']}–{embedded['max_zoom']})")
    from auditor.maps.page import build_page  # folium: only when a page is built
    page = build_page(payload, basemap=basemap, embedded_tiles=embedded)
    write_page(page, out)
    print(f"wrote {shown(out)} ({len(page.encode('utf-8')) // 1024} KiB)")
    for note in notes:
        print(f"note: {note}")
    return 0
