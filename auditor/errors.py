"""Errors that are the user's to fix: the CLI prints them as one line, the GUI as a dialog."""


class UserError(Exception):
    """Bad input or a failed precondition. The message names the file/row and the fix."""


class Cancelled(Exception):
    """Raised inside long work when the user asked to stop; the work's transaction is rolled back."""


class ProjectBusy(UserError):
    """Another auditor window or process holds the project's write lock longer than we waited.
    Nothing was written; the same action can simply be tried again (the GUI offers Retry)."""
