"""The core stays Qt-free and data flows one way: import-linter contracts in pyproject.toml."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is part of the test extra"
    result = subprocess.run([lint, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout


def test_core_import_does_not_load_qt():
    code = ("import sys, auditor.cli, auditor.store, auditor.store.queries;"
            "bad=[m for m in sys.modules if m.split('.')[0] in ('PySide6','pyqtgraph','superqt')];"
            "print(bad); raise SystemExit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gui_start_path_does_not_import_pandas():
    """pandas costs ~0.6-1 s to import: kept off the path to the window's first paint."""
    code = ("import sys, auditor.gui.app, auditor.gui.main_window;"
            "bad=[m for m in ('pandas', 'sklearn', 'folium', 'pyqtgraph') if m in sys.modules];"
            "print(bad); raise SystemExit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
