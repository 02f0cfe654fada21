"""A Content-Security-Policy for the map pages (vehicle map, drift map), as a <meta> element.

The pages carry everything inline (Leaflet, our JS/CSS, the data). The policy lets run exactly
the inline scripts the page was built with (each by its sha256 — a script smuggled in through
data would not match), loads images only from data: URIs and the chosen tile host (or the
local tile scheme), and nothing else: no fetch/XHR, no frames, no plugins, no <base>, no form
posts. Styles may be inline (Leaflet positions everything with style attributes); an
injected style could not load anything, because images and fonts are limited as above.

The GUI adds its QWebChannel bridge through ``extra_head`` of the page builders, so the bridge
script is hashed with the rest (``script_sources`` allows the qrc: URL it loads qwebchannel.js
from)."""
from __future__ import annotations

import base64
import hashlib
import re
from typing import Iterable

from auditor.maps.basemap import image_source

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r"""\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def script_hashes(page: str) -> list[str]:
    """'sha256-…' of every inline <script> of ``page``, in order of appearance, no repeats."""
    out: list[str] = []
    for attrs, body in _SCRIPT.findall(page):
        if _SRC.search(attrs):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        token = f"'sha256-{digest}'"
        if token not in out:
            out.append(token)
    return out


def policy(page: str, basemap: str, script_sources: Iterable[str] = ()) -> str:
    scripts = script_hashes(page) + [s for s in script_sources]
    images = ["data:"] + image_source(basemap)
    return "; ".join([
        "default-src 'none'",
        "script-src " + (" ".join(scripts) or "'none'"),
        "style-src 'unsafe-inline'",
        "img-src " + " ".join(images),
        "font-src data:",
        "connect-src 'none'",
        "media-src 'none'",
        "object-src 'none'",
        "frame-src 'none'",
        "worker-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ])


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def with_policy(page: str, basemap: str, script_sources: Iterable[str] = ()) -> str:
    """``page`` with its CSP <meta> as the first element of <head> (it applies only to what
    follows it)."""
    meta = (f'<meta http-equiv="Content-Security-Policy" '
            f'content="{_attr(policy(page, basemap, script_sources))}">')
    match = re.search(r"<head\b[^>]*>", page, re.IGNORECASE)
    if match is None:
        return meta + page
    return page[:match.end()] + "\n    " + meta + page[match.end():]
