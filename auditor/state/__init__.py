"""The application state without Qt: what is open, what is current, what changed. The GUI
(auditor.gui) shows it; nothing here imports Qt (import-linter contract)."""
