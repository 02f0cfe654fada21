"""Static checks of the installer recipe (packaging/). Fast: nothing is built or installed here;
`make package-test` builds the .deb and smoke-tests the installed app."""
import ast
import configparser
import importlib
import importlib.util
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "auditor.spec"
DESKTOP = PACKAGING / "auditor.desktop"
ICON_SVG = ROOT / "resources" / "icons" / "auditor.svg"


@pytest.fixture(scope="module")
def contents():
    sys.path.insert(0, str(PACKAGING))
    try:
        import bundle_contents
        yield importlib.reload(bundle_contents)
    finally:
        sys.path.remove(str(PACKAGING))


@pytest.fixture(scope="module")
def spec_tree():
    return ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


def _calls(tree, name):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and getattr(n.func, "id", getattr(n.func, "attr", None)) == name]


def _keyword(call, name):
    return next(k.value for k in call.keywords if k.arg == name)


# ---- the spec ---------------------------------------------------------------------------------

def test_launcher_runs_the_cli_entry_point():
    """The frozen executable is the same command as `auditor` from pip: auditor.cli:main."""
    launcher = PACKAGING / "launcher.py"
    tree = ast.parse(launcher.read_text(encoding="utf-8"))
    imports = {(n.module, a.name) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
               for a in n.names}
    assert ("auditor.cli", "main") in imports
    assert any(getattr(c.func, "attr", None) == "freeze_support" for c in _calls_all(tree))
    assert any(getattr(c.func, "id", None) == "main" for c in _calls_all(tree))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'auditor = "auditor.cli:main"' in pyproject  # the entry point the launcher mirrors


def _calls_all(tree):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def test_spec_builds_one_folder_app_named_auditor_from_the_launcher(spec_tree):
    (analysis,) = _calls(spec_tree, "Analysis")
    scripts = ast.unparse(analysis.args[0])
    assert "launcher.py" in scripts
    exes = _calls(spec_tree, "EXE")
    assert exes and ast.literal_eval(_keyword(exes[0], "name")) == "auditor"
    # one-folder: the executable leaves binaries to COLLECT
    assert all(ast.literal_eval(_keyword(e, "exclude_binaries")) is True for e in exes)
    (collect,) = _calls(spec_tree, "COLLECT")
    assert ast.literal_eval(_keyword(collect, "name")) == "auditor"
    assert "excluded_modules" in ast.unparse(_keyword(analysis, "excludes"))


def test_spec_collects_every_auditor_module_and_the_package_data(spec_tree):
    source = ast.unparse(spec_tree)
    assert 'collect_submodules("auditor")' in source.replace("'", '"')
    assert "XSTATIC_PACKAGES" in source and "xstatic_datas()" in source
    assert "resource_datas()" in source and "DATA_PACKAGES" in source
    assert 'copy_metadata("auditor")' in source.replace("'", '"')


def test_cli_handler_modules_would_be_collected():
    """Each handler the CLI loads by importlib (auditor.cli.HANDLERS) that exists in the source
    tree sits in a regular package chain (an __init__.py at every level), which is what
    collect_submodules("auditor") walks, so the frozen CLI can import it."""
    from auditor.cli import HANDLERS

    present = 0
    for target in HANDLERS.values():
        parts = target.split(":")[0].split(".")
        if not (ROOT.joinpath(*parts[:-1]) / f"{parts[-1]}.py").exists():
            continue  # not written yet; the smoke test of the installed app runs them all
        present += 1
        for depth in range(1, len(parts)):
            assert (ROOT.joinpath(*parts[:depth]) / "__init__.py").exists(), parts[:depth]
    assert present > 0


def test_xstatic_assets_land_where_base_dir_points_in_the_bundle(contents):
    """auditor.maps finds Leaflet/jQuery via xstatic.pkg.*.BASE_DIR (package dir + 'data');
    the bundle must hold the files at that same relative path."""
    datas = contents.xstatic_datas()
    targets = {Path(dest) / Path(src).name for src, dest in datas}
    for needed in ("xstatic/pkg/leaflet/data/leaflet.js", "xstatic/pkg/leaflet/data/leaflet.css",
                   "xstatic/pkg/jquery/data/jquery.min.js"):
        assert Path(needed) in targets, needed
    for name in contents.XSTATIC_PACKAGES:
        module = importlib.import_module(name)
        rel = Path(module.BASE_DIR).relative_to(Path(module.__file__).parents[2])
        assert rel == Path(*name.split(".")[1:]) / "data"
    assert all(Path(src).is_file() for src, _ in datas)
    assert not any(src.endswith(".map") for src, _ in datas)


def test_resources_folder_lands_where_auditor_resources_looks(contents):
    (src, dest), = contents.resource_datas()
    assert Path(src) == ROOT / "resources" and dest == "resources"
    from auditor.resources import resources_dir
    assert resources_dir() == ROOT / "resources"  # unfrozen; frozen it is _MEIPASS/<dest>


def test_excludes_drop_tkinter_and_test_suites_but_nothing_the_app_imports(contents):
    excluded = contents.excluded_modules()
    assert {"tkinter", "pytest", "hypothesis"} <= set(excluded)
    assert "pandas.tests" in excluded and "scipy.linalg.tests" in excluded
    assert "sklearn.tests" in excluded
    for needed in ("numpy.testing", "pandas.testing", "sklearn", "pyarrow", "PySide6",
                   "xstatic", "folium", "branca", "jinja2", "tzdata", "pyqtgraph", "auditor"):
        assert not any(needed == e or needed.startswith(e + ".") for e in excluded), needed


def test_data_packages_exist_in_the_environment(contents):
    for name in contents.DATA_PACKAGES + contents.XSTATIC_PACKAGES:
        assert importlib.util.find_spec(name) is not None, name


def test_the_bundle_names_what_infer_engine_dask_loads_by_name(contents):
    """Spawned Dask workers of the frozen app import distributed's comms, serialisers and
    worker modules by name: the spec collects them, and they exist here."""
    for name in contents.DASK_SUBMODULE_ROOTS + contents.DASK_MODULES:
        assert importlib.util.find_spec(name) is not None, name
    assert {"dask", "distributed"} <= set(contents.DATA_PACKAGES)
    source = (PACKAGING / "auditor.spec").read_text(encoding="utf-8")
    assert "DASK_SUBMODULE_ROOTS" in source and "DASK_MODULES" in source
    assert "METADATA_PACKAGES" in source and "pandas" in contents.METADATA_PACKAGES
    assert not {"distributed", "dask"} & set(contents.EXCLUDED_MODULES)


# ---- the .deb recipe ----------------------------------------------------------------------------

QTWEBENGINE_LIBS = ("libnss3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
                    "libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-randr0 "
                    "libxcb-shape0 libgl1 libegl1 libfontconfig1 libdbus-1-3 libasound2 "
                    "libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1").split()


def _control_fields():
    text = (PACKAGING / "deb" / "control.in").read_text(encoding="utf-8")
    fields, last = {}, None
    for line in text.splitlines():
        if line.startswith(" "):
            fields[last] += "\n" + line
        else:
            last, value = line.split(":", 1)
            fields[last] = value.strip()
    return fields


def test_control_file_names_the_package_and_the_libraries_qtwebengine_needs():
    fields = _control_fields()
    for key in ("Package", "Version", "Architecture", "Maintainer", "Depends", "Description",
                "Installed-Size"):
        assert fields.get(key), key
    assert fields["Package"] == "auditor"
    assert (fields["Version"], fields["Architecture"]) == ("@VERSION@", "@ARCH@")
    depends = {d.strip() for d in fields["Depends"].split(",")}
    assert set(QTWEBENGINE_LIBS) <= depends
    summary, *long_lines = fields["Description"].splitlines()
    assert summary and len(summary) < 80 and long_lines
    assert all(line.startswith(" ") for line in long_lines)


def test_build_script_fills_every_placeholder_and_installs_the_layout():
    build = (PACKAGING / "build.sh").read_text(encoding="utf-8")
    placeholders = set(re.findall(r"@[A-Z_]+@", (PACKAGING / "deb" / "control.in").read_text()))
    for p in placeholders:
        assert f"s/{p}/" in build, p
    for path in ("/opt/auditor", "usr/bin/auditor", "usr/share/applications/auditor.desktop",
                 "hicolor/48x48/apps/auditor.png", "hicolor/256x256/apps/auditor.png",
                 "hicolor/scalable/apps/auditor.svg", "dpkg --print-architecture",
                 "auditor.__version__", "--noconfirm --clean", "packaging/auditor.spec"):
        assert path in build, path
    assert "dist/auditor_${VERSION}_${ARCH}.deb" in build


@pytest.mark.parametrize("script", ["build.sh", "smoke-test", "deb/postinst", "deb/postrm",
                                    "deb/auditor.sh"])
def test_shell_scripts_parse(script):
    shell = "bash" if script in ("build.sh", "smoke-test") else "sh"
    result = subprocess.run([shell, "-n", str(PACKAGING / script)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def test_maintainer_scripts_are_safe_when_cache_tools_are_missing(tmp_path):
    """postinst/postrm must exit 0 on a system without the desktop/icon cache tools."""
    for script in ("postinst", "postrm"):
        arg = "configure" if script == "postinst" else "remove"
        result = subprocess.run(["/bin/sh", str(PACKAGING / "deb" / script), arg],
                                env={"PATH": str(tmp_path)}, capture_output=True, text=True)
        assert result.returncode == 0, (script, result.stderr)


def test_launcher_wrapper_execs_the_bundle():
    text = (PACKAGING / "deb" / "auditor.sh").read_text(encoding="utf-8")
    assert text.startswith("#!/bin/sh")
    assert 'exec /opt/auditor/auditor "$@"' in text


# ---- the desktop entry and the icon ---------------------------------------------------------

def test_desktop_entry_parses_and_has_the_required_keys():
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "auditor" and entry["Icon"] == "auditor"
    assert entry["Exec"].split()[0] == "auditor" and entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    for action in filter(None, entry.get("Actions", "").split(";")):
        section = parser[f"Desktop Action {action}"]
        assert section["Name"] and section["Exec"].startswith("auditor")


def test_desktop_entry_passes_desktop_file_validate_when_installed():
    """desktop-file-validate (Debian desktop-file-utils) is the reference checker; the parser
    test above covers machines without it, the smoke test runs it on the installed file."""
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        return
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_icon_svg_is_well_formed_and_square():
    root = ET.parse(ICON_SVG).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"
    assert root.get("width") == root.get("height")


def test_icon_renders_with_qt_to_an_opaque_centre_and_transparent_corners(tmp_path, qapp):
    sys.path.insert(0, str(PACKAGING))
    try:
        import render_icons
    finally:
        sys.path.remove(str(PACKAGING))
    written = render_icons.write_icons(tmp_path, formats=("png", "ico"))
    names = {p.name for p in written}
    assert {"auditor-48.png", "auditor-256.png", "auditor.ico"} <= names
    from PySide6.QtGui import QImage
    image = QImage(str(tmp_path / "auditor-256.png"))
    assert (image.width(), image.height()) == (256, 256)
    assert image.pixelColor(128, 200).alpha() == 255  # the tile is drawn
    assert image.pixelColor(1, 1).alpha() == 0  # rounded corners stay transparent
    again = render_icons.write_icons(tmp_path / "again", formats=("png",))
    for path in again:  # deterministic: same SVG, same bytes
        assert path.read_bytes() == (tmp_path / path.name).read_bytes()


def test_trim_drops_qml_unlinked_qt_libraries_and_unused_pyarrow_parts(contents, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    binaries = [
        ("PySide6/QtWebEngineCore.abi3.so", "/src/QtWebEngineCore.abi3.so", "EXTENSION"),
        ("PySide6/Qt/libexec/QtWebEngineProcess", "/src/QtWebEngineProcess", "BINARY"),
        ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", "/src/libQt6WebEngineCore.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/src/libQt6Quick.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick3DPhysics.so.6", "/src/libQt6Quick3DPhysics.so.6", "BINARY"),
        ("PySide6/Qt/qml/QtQuick3D/libqquick3dplugin.so", "/src/libqquick3dplugin.so", "BINARY"),
        ("pyarrow/libarrow.so.2600", "/src/libarrow.so.2600", "BINARY"),
        ("pyarrow/libarrow_flight.so.2600", "/src/libarrow_flight.so.2600", "BINARY"),
        ("pyarrow/_s3fs.cpython-311-x86_64-linux-gnu.so", "/src/_s3fs.so", "EXTENSION"),
    ]
    datas = [("PySide6/Qt/qml/QtQuick3D/qmldir", "/src/qmldir", "DATA"),
             ("pyarrow/include/arrow/api.h", "/src/api.h", "DATA"),
             ("resources/icons/auditor.svg", "/src/auditor.svg", "DATA")]
    seen_roots = []

    def linked(paths):  # what ldd would say: WebEngine links Quick, nothing links Quick3D
        seen_roots.extend(paths)
        return {"libQt6WebEngineCore.so.6", "libQt6Quick.so.6", "libc.so.6"}

    kept_bins, kept_datas = contents.trim(binaries, datas, linked=linked)
    assert [d for d, _, _ in kept_bins] == [
        "PySide6/QtWebEngineCore.abi3.so", "PySide6/Qt/libexec/QtWebEngineProcess",
        "PySide6/Qt/lib/libQt6WebEngineCore.so.6", "PySide6/Qt/lib/libQt6Quick.so.6",
        "pyarrow/libarrow.so.2600"]
    assert [d for d, _, _ in kept_datas] == ["resources/icons/auditor.svg"]
    # roots are everything but the Qt libraries themselves, QML plugins excluded
    assert "/src/libqquick3dplugin.so" not in seen_roots
    assert "/src/QtWebEngineProcess" in seen_roots and "/src/libQt6Quick.so.6" not in seen_roots


def test_trim_keeps_everything_where_ldd_cannot_tell(contents, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    binaries = [("PySide6/Qt/qml/QtQuick/qquick.dll", "/src/qquick.dll", "BINARY")]
    assert contents.trim(binaries, [], linked=lambda paths: set()) == (binaries, [])
