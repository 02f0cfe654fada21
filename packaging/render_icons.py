"""Render the hand-drawn app icon (resources/icons/auditor.svg) to the raster files installers
need: PNGs for the Linux icon theme, .ico for Windows, .icns for macOS. Qt draws them, so the
build needs no image tools and no downloaded art.

    python packaging/render_icons.py OUT_DIR [--formats png,ico,icns]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a build machine has no screen

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "auditor.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZE = 256  # Windows scales the 256 px entry down for smaller views
ICNS_SIZE = 512


def render(svg: Path, size: int):
    """The icon as a square ARGB image of `size` pixels, transparent outside the tile."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"error: {svg}: not a valid SVG — fix the file")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def write_icons(out_dir: Path, formats=("png",), svg: Path = SVG) -> list[Path]:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (Qt needs it)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    targets = []
    if "png" in formats:
        targets += [(out_dir / f"auditor-{s}.png", s, "PNG") for s in PNG_SIZES]
    if "ico" in formats:
        targets.append((out_dir / "auditor.ico", ICO_SIZE, "ICO"))
    if "icns" in formats:
        targets.append((out_dir / "auditor.icns", ICNS_SIZE, "ICNS"))
    for path, size, fmt in targets:
        if not render(svg, size).save(str(path), fmt):
            raise SystemExit(f"error: {path}: Qt could not write {fmt} — is its image plugin "
                             "installed (PySide6 ships qico/qicns)?")
        written.append(path)
    return written


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir", type=Path)
    p.add_argument("--formats", default="png", help="comma list of png, ico, icns")
    args = p.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = set(formats) - {"png", "ico", "icns"}
    if unknown:
        p.error(f"unknown format(s): {', '.join(sorted(unknown))}")
    for path in write_icons(args.out_dir, formats):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
