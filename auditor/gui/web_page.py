"""The one policy for pages auditor shows in a QWebEngineView (vehicle map, drift map): they run
in auditor's own profile (auditor.gui.web_profile: local tiles, and a guard that lets only the
chosen basemap's tiles reach the network), a link in a popup never navigates the view away, and
local content may not read file:// URLs."""
from __future__ import annotations

import logging

from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineSettings

from auditor.gui.web_profile import auditor_profile

log = logging.getLogger("auditor.gui.web")


class PinnedPage(QWebEnginePage):
    def __init__(self, parent=None):
        super().__init__(auditor_profile(), parent)
        s = self.settings()
        s.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, False)
        s.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)

    def acceptNavigationRequest(self, url, nav_type, is_main_frame):
        if nav_type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            return False
        return super().acceptNavigationRequest(url, nav_type, is_main_frame)

    def javaScriptConsoleMessage(self, level, message, line, source):
        log.debug("page js [%s] %s:%s %s", level, source, line, message)
