"""The core stays Qt-free and data flows one way: import-linter contracts in pyproject.toml."""
import json
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


def _loaded_by(modules: str, packages: tuple[str, ...]) -> list[str]:
    """Which of ``packages`` a fresh interpreter has loaded after importing ``modules``."""
    code = (f"import json, sys, {modules}; "
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & "
            f"set({list(packages)!r}))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_core_import_does_not_load_qt():
    assert _loaded_by("auditor.cli, auditor.store, auditor.store.queries",
                      ("PySide6", "pyqtgraph", "superqt")) == []


def test_gui_start_path_does_not_import_pandas():
    """pandas costs ~0.6-1 s to import: kept off the path to the window's first paint."""
    assert _loaded_by("auditor.gui.app, auditor.gui.main_window",
                      ("pandas", "sklearn", "folium", "pyqtgraph")) == []
