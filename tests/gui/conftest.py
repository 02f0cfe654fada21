"""GUI test fixtures: real widgets on the shared demo project (tests/conftest.py), settings in
a temp .ini so tests never touch the user's QSettings."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def gui_thread_collector(qapp):
    """The app's own guard (auditor.gui.collector): cyclic garbage is collected on the GUI
    thread, never by a worker thread that happens to allocate."""
    import gc

    from auditor.gui.collector import install
    install(qapp)
    yield
    gc.collect()  # this test's cycles, here on the GUI thread; the tests after it as usual
    gc.enable()


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    from auditor.gui.settings import AppSettings
    s = AppSettings(QSettings(str(tmp_path / "auditor.ini"), QSettings.Format.IniFormat))
    s.analyst = "ana"
    return s


@pytest.fixture
def window(qtbot, settings):
    from auditor.gui.main_window import MainWindow
    w = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    return w


# the local tiles' URL scheme must be known to QtWebEngine before pytest-qt makes the app
from auditor.gui.web_profile import register_scheme  # noqa: E402

register_scheme()
