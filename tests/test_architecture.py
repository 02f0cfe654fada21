"""The core stays Qt-free and data flows one way: import-linter contracts in pyproject.toml,
every core module imported with Qt made unimportable, and ruff over the tree."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is part of the test extra"
    return found


def test_import_contracts_hold():
    result = subprocess.run([_tool("lint-imports"), str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout


def test_contracts_have_no_exceptions_and_check_indirect_imports():
    import tomllib
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    for contract in config["contracts"]:
        assert not contract.get("allow_indirect_imports", False), contract["name"]
        assert not contract.get("ignore_imports"), contract["name"]
    # every top-level package and module of auditor sits in a layer
    layered = {m.strip() for layer in config["contracts"][1]["layers"] for m in layer.split("|")}
    present = {f"auditor.{p.stem if p.is_file() else p.name}"
               for p in (ROOT / "auditor").iterdir()
               if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert present == layered


def _core_modules() -> list[str]:
    out = []
    for path in sorted((ROOT / "auditor").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if rel.parts[1] == "gui" or rel.name == "__main__":
            continue
        out.append(".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts))
    return out


BLOCKER = """
import importlib.abc, sys
class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"):
            raise ImportError(f"{name} is blocked: the core must not need Qt")
        return None
sys.meta_path.insert(0, NoQt())
"""


def test_every_core_module_imports_with_qt_absent():
    modules = _core_modules()
    assert "auditor.state.app_state" in modules and "auditor.analysis.registry" in modules
    code = BLOCKER + (f"import importlib\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
                      "print('imported', len(" + repr(modules) + "))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"imported {len(modules)}" in result.stdout
    # the blocker itself works: the GUI does not import with it
    blocked = subprocess.run([sys.executable, "-c", BLOCKER + "import auditor.gui.main_window"],
                             capture_output=True, text=True, cwd=ROOT)
    assert blocked.returncode != 0 and "is blocked" in blocked.stderr


def _loaded_by(modules: str, packages: tuple[str, ...]) -> list[str]:
    """Which of ``packages`` a fresh interpreter has loaded after importing ``modules``."""
    code = (f"import json, sys, {modules}; "
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & "
            f"set({list(packages)!r}))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_gui_start_path_does_not_import_pandas():
    """pandas costs ~0.6-1 s to import: kept off the path to the window's first paint."""
    assert _loaded_by("auditor.gui.app, auditor.gui.main_window",
                      ("pandas", "sklearn", "folium", "pyqtgraph")) == []


@pytest.mark.parametrize("paths", [["auditor", "tests", "bench", "packaging"]])
def test_ruff_finds_nothing(paths):
    result = subprocess.run([_tool("ruff"), "check", *paths], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
