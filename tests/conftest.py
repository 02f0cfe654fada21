import os

# Qt on a screenless machine, as root (../shared/docs/qt-testing.md); set before Qt loads.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
# Unexpected exceptions surface as tracebacks in tests instead of one 'error:' line.
os.environ.setdefault("AUDITOR_DEBUG", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Logs, settings and demo data of tests never touch the real user's directories."""
    home = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("AUDITOR_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("AUDITOR_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    yield
