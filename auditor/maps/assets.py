"""Leaflet and the map page's own JS/CSS, inlined so the page needs no network and no files.

Leaflet comes from the xstatic-leaflet package (the same release folium pins); its CSS refers
to a few images, which become data: URIs. folium's default CDN links (Leaflet, jQuery,
Bootstrap, awesome-markers, Font Awesome) are not used: the page draws with plain Leaflet, so
none of the others is needed.
"""
from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

from auditor.resources import resource


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as leaflet  # packaged copy; no CDN
    return Path(leaflet.BASE_DIR)


@functools.lru_cache(maxsize=None)
def leaflet_js() -> str:
    return (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def leaflet_css() -> str:
    base = _leaflet_dir()
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        target = base / match.group(1)
        if not target.is_file():
            return "none"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[A-Za-z0-9_.-]+\.png)\)", inline, css)


@functools.lru_cache(maxsize=None)
def page_js() -> str:
    return resource("map", "vehicle_map.js").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def page_css() -> str:
    return resource("map", "vehicle_map.css").read_text(encoding="utf-8")


def script_tag(code: str) -> str:
    # a literal "</script" inside the code would end the tag early
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def style_tag(css: str) -> str:
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"


def head_html() -> str:
    """Everything the page's <head> needs, inline."""
    return "\n".join([style_tag(leaflet_css()), style_tag(page_css()),
                      script_tag(leaflet_js()), script_tag(page_js())])
