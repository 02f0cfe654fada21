#!/bin/sh
# /usr/bin/auditor: starts the bundled app in /opt/auditor.
# Chromium (QtWebEngine, the map) will not start its sandbox for root; as root, turn it off
# so `sudo auditor` and root-run CI still show the map. Other users keep the sandbox.
if [ "$(id -u)" = 0 ] && [ -z "${QTWEBENGINE_DISABLE_SANDBOX:-}" ]; then
    QTWEBENGINE_DISABLE_SANDBOX=1
    export QTWEBENGINE_DISABLE_SANDBOX
fi
exec /opt/auditor/auditor "$@"
