"""What the frozen bundle must carry beyond what PyInstaller finds by following imports.

Kept apart from auditor.spec so tests can check the lists without running PyInstaller.
Each entry says why it is needed; PyInstaller's own hooks (PySide6 WebEngine, sklearn, pandas,
pyarrow, pyqtgraph, folium, branca, tzdata) already do most of the work, and collecting the
same file twice is harmless, so the list names everything the app cannot run without.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"

# The map page loads Leaflet and jQuery from these packages' data folders (no CDN, no network).
# They are copied to the same relative place, so `xstatic.pkg.leaflet.BASE_DIR` resolves
# inside the bundle exactly as it does in a virtual environment.
XSTATIC_PACKAGES = ("xstatic.pkg.leaflet", "xstatic.pkg.jquery")

# Packages whose non-Python files are read at run time: folium/branca Jinja templates,
# pyqtgraph's colour maps and icons, the IANA time-zone database for --tz and vehicle zones.
DATA_PACKAGES = ("folium", "branca", "pyqtgraph", "tzdata", "sklearn",
                 # dask.yaml / distributed.yaml: their configuration defaults, read at import
                 "dask", "distributed")

# `infer --engine dask`: distributed loads its comms, serialisers and the worker/nanny by
# name (entry points, importlib, spawned worker processes); its dashboard (bokeh) is unused.
DASK_SUBMODULE_ROOTS = ("distributed.comm", "distributed.protocol", "distributed.deploy",
                        "distributed.shuffle", "distributed.diagnostics")
# dask checks optional dependencies (pandas when it tokenizes a frame) by their installed
# metadata, and the Dask engine compares library versions between client and workers
METADATA_PACKAGES = ("pandas", "numpy", "pyarrow", "dask", "distributed", "tzfpy")
DASK_MODULES = ("distributed.nanny", "distributed.worker", "distributed.scheduler",
                "distributed.process", "distributed.utils_comm", "dask.dataframe",
                "cloudpickle", "msgpack", "tornado", "toolz", "tblib", "zict", "psutil")

# Never needed by the app; excluding them keeps the bundle smaller and the build faster.
EXCLUDED_MODULES = (
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib",
    "pytest", "_pytest", "hypothesis", "pytestqt", "importlinter", "grimp",
    "IPython", "jupyter_client", "ipykernel", "notebook", "matplotlib",
    "PyInstaller", "setuptools", "pip",
    "pyqtgraph.examples",
    # other Qt bindings: pyqtgraph imports whichever it finds
    "PyQt5", "PyQt6", "PySide2",
)

# Top-level packages whose bundled `tests` subpackages are dead weight.
TEST_SUITE_OWNERS = ("numpy", "pandas", "scipy", "sklearn", "pyarrow", "pyqtgraph", "branca",
                     "folium", "sqlite_utils", "platformdirs", "dask", "distributed")


def _package_dir(name: str) -> Path | None:
    """Where a top-level package lives, found without importing it (scipy, Qt: slow)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def xstatic_datas() -> list[tuple[str, str]]:
    """(source dir, bundle dir) for each xstatic data folder, source maps left out."""
    datas = []
    for name in XSTATIC_PACKAGES:
        base = Path(importlib.import_module(name).BASE_DIR)
        target = Path(*name.split(".")) / "data"
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.endswith(".map"):
                datas.append((str(path), str(target / path.relative_to(base).parent)))
    return datas


def resource_datas() -> list[tuple[str, str]]:
    """The top-level resources/ folder, found frozen under sys._MEIPASS/resources
    (auditor.resources.resources_dir)."""
    return [(str(RESOURCES), "resources")]


def test_suite_modules() -> list[str]:
    """Dotted names of every `tests` package inside TEST_SUITE_OWNERS (e.g. scipy.linalg.tests)."""
    names = []
    for owner in TEST_SUITE_OWNERS:
        base = _package_dir(owner)
        if base is None:
            continue
        for dirpath, dirnames, _files in os.walk(base):
            dirnames.sort()
            for d in dirnames:
                if d in ("tests", "test") and (Path(dirpath) / d / "__init__.py").exists():
                    rel = (Path(dirpath) / d).relative_to(base.parent)
                    names.append(".".join(rel.parts))
    return sorted(names)


def excluded_modules() -> list[str]:
    return list(EXCLUDED_MODULES) + list(UNUSED_MODULES) + test_suite_modules()


# ---- trimming what hooks collect wholesale ----------------------------------------------------
# The QtQml hook copies every QML plugin (Quick3D, Charts, Wayland compositor, ...) and the Qt
# libraries they need; auditor is a widgets app that loads no QML. QtWebEngine still needs
# libQt6Quick/Qml themselves, so Qt libraries are kept by what the remaining binaries link to.
QML_DIR = "PySide6/Qt/qml/"
QT_LIB_DIR = "PySide6/Qt/lib/"
# pyarrow's hook takes all of pyarrow; Arrow Flight (RPC) and the S3 filesystem are never used
# (auditor reads and writes local Parquet), nor the C++ headers and test extension.
PYARROW_UNUSED = ("pyarrow/libarrow_flight", "pyarrow/libarrow_python_flight", "pyarrow/_flight",
                  "pyarrow/libarrow_s3", "pyarrow/_s3fs", "pyarrow/include/",
                  "pyarrow/_pyarrow_cpp_tests", "pyarrow/tests/")
UNUSED_MODULES = ("pyarrow.flight", "pyarrow._flight", "pyarrow._s3fs", "pyarrow._pyarrow_cpp_tests",
                  # Qt modules nothing in auditor uses
                  "PySide6.QtDataVisualization", "PySide6.QtCharts", "PySide6.QtGraphs",
                  "PySide6.Qt3DCore", "PySide6.QtQuick3D", "PySide6.QtMultimedia",
                  "PySide6.QtLocation", "PySide6.QtBluetooth", "PySide6.QtSerialPort")


def _dest(entry) -> str:
    return str(entry[0]).replace("\\", "/")


def linked_libraries(paths) -> set[str]:
    """File names of every shared library the given ELF files load, directly or not (ldd)."""
    import subprocess

    names: set[str] = set()
    for path in paths:
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            if "=>" in line:
                names.add(line.split("=>")[0].strip())
    return names


def trim(binaries, datas, linked=linked_libraries):
    """(binaries, datas) without QML plugins, Qt libraries nothing links to, and unused pyarrow
    parts. Only on Linux, where ldd tells what links to what; elsewhere the lists are kept."""
    import shutil
    import sys

    def unused(entry) -> bool:
        dest = _dest(entry)
        return dest.startswith(QML_DIR) or dest.startswith(PYARROW_UNUSED)

    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        return list(binaries), list(datas)
    binaries = [e for e in binaries if not unused(e)]
    datas = [e for e in datas if not unused(e)]
    roots = [e[1] for e in binaries if not _dest(e).startswith(QT_LIB_DIR)]
    needed = linked(roots)
    binaries = [e for e in binaries
                if not _dest(e).startswith(QT_LIB_DIR) or Path(_dest(e)).name in needed]
    return binaries, datas
