"""Both web views (vehicle map, drift map) share one page policy."""
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineSettings

from auditor.gui.web_page import PinnedPage


def test_links_never_navigate_and_file_urls_are_closed(qtbot):
    page = PinnedPage()
    attr = QWebEngineSettings.WebAttribute
    assert not page.settings().testAttribute(attr.LocalContentCanAccessFileUrls)
    nav = QWebEnginePage.NavigationType
    assert page.acceptNavigationRequest(QUrl("https://example.org"), nav.NavigationTypeLinkClicked,
                                        True) is False
    assert page.acceptNavigationRequest(QUrl("about:blank"), nav.NavigationTypeTyped, True)
    page.deleteLater()


def test_map_and_drift_views_use_it(qtbot):
    from types import SimpleNamespace

    from auditor.gui.analyses.drift import DriftMapView
    from auditor.gui.views.map_view import MapView
    from auditor.state.app_state import AppState
    state = AppState(SimpleNamespace(analyst="", basemap="none"))
    for view in (MapView(state), DriftMapView(state)):
        qtbot.addWidget(view)
        assert isinstance(view.page(), PinnedPage)
