"""The main window's views: each follows the application state (auditor.state) and changes it
only through its methods."""
