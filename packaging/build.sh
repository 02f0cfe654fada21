#!/usr/bin/env bash
# Build the Linux installer: a PyInstaller one-folder bundle (dist/auditor/) packed into
# dist/auditor_<version>_<arch>.deb.  `make package` runs this; see packaging/README.md.
#
#   PYTHON=.venv/bin/python bash packaging/build.sh       # default PYTHON is .venv/bin/python
#   DEB_COMPRESSION=xz bash packaging/build.sh   # ~20% smaller, much slower (default zstd:
#                                                 dpkg >= 1.21.18, i.e. Debian 12+, Ubuntu 22.04+)
#   REUSE_BUNDLE=1 bash packaging/build.sh      # repack the existing dist/auditor/ only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
COMPRESSION="${DEB_COMPRESSION:-zstd}"
export QT_QPA_PLATFORM=offscreen  # icon rendering needs Qt but no screen

die() { echo "error: $*" >&2; exit 1; }

[ -x "$PY" ] || die "$PY not found — run 'make venv' first, or set PYTHON"
"$PY" -c "import PyInstaller" 2>/dev/null \
    || die "PyInstaller is missing — run: $PY -m pip install 'pyinstaller>=6.10'"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found — build the .deb on Debian/Ubuntu"

VERSION="$("$PY" -c 'import auditor; print(auditor.__version__)')"
ARCH="$(dpkg --print-architecture)"
DEB="dist/auditor_${VERSION}_${ARCH}.deb"
echo "== auditor $VERSION ($ARCH)"

echo "== rendering icons"
rm -rf build/icons
"$PY" packaging/render_icons.py build/icons --formats png >/dev/null

if [ "${REUSE_BUNDLE:-0}" = 1 ] && [ -x dist/auditor/auditor ]; then
    echo "== reusing dist/auditor/ (REUSE_BUNDLE=1: only the .deb is rebuilt)"
else
    echo "== PyInstaller bundle -> dist/auditor/"
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller packaging/auditor.spec
fi

# The bundle must at least start and report the version it was built from.
bundled_version="$(dist/auditor/auditor --version)"
[ "$bundled_version" = "auditor $VERSION" ] \
    || die "dist/auditor/auditor --version printed '$bundled_version', expected 'auditor $VERSION'"

# The spec drops Qt libraries nothing links to; prove nothing left in the bundle misses one.
missing="$(find dist/auditor -type f \( -name '*.so*' -o -name QtWebEngineProcess \) -print0 \
    | xargs -0 -n 50 ldd 2>/dev/null \
    | grep -E '(libQt6|libpyside6|libshiboken6|libarrow|libparquet|libicu)[^ ]* => not found' \
    | sort -u || true)"
[ -z "$missing" ] || die "the bundle lacks libraries its own files link to:
$missing"

echo "== staging the .deb"
STAGE="build/deb/auditor_${VERSION}_${ARCH}"
rm -rf "$STAGE"
install -d -m 0755 "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" \
    "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/48x48/apps" \
    "$STAGE/usr/share/icons/hicolor/256x256/apps" \
    "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a dist/auditor "$STAGE/opt/auditor"
install -m 0755 packaging/deb/auditor.sh "$STAGE/usr/bin/auditor"
install -m 0644 packaging/auditor.desktop "$STAGE/usr/share/applications/auditor.desktop"
install -m 0644 build/icons/auditor-48.png "$STAGE/usr/share/icons/hicolor/48x48/apps/auditor.png"
install -m 0644 build/icons/auditor-256.png "$STAGE/usr/share/icons/hicolor/256x256/apps/auditor.png"
install -m 0644 resources/icons/auditor.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/auditor.svg"
install -m 0755 packaging/deb/postinst packaging/deb/postrm "$STAGE/DEBIAN/"
# Files readable by every user, whatever the builder's umask was.
chmod -R u+rwX,go+rX,go-w "$STAGE/opt/auditor"

installed_kib="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$installed_kib/" \
    packaging/deb/control.in > "$STAGE/DEBIAN/control"
chmod 0644 "$STAGE/DEBIAN/control"

echo "== dpkg-deb ($COMPRESSION) -> $DEB"
rm -f "$DEB"
dpkg-deb --root-owner-group -Z"$COMPRESSION" --build "$STAGE" "$DEB" >/dev/null
dpkg-deb --info "$DEB" >/dev/null  # fails on a malformed archive or control file

echo "== sizes"
echo "bundle dist/auditor/: $(du -sh dist/auditor | cut -f1) ($(find dist/auditor -type f | wc -l) files)"
echo "package $DEB: $(du -h "$DEB" | cut -f1)"
