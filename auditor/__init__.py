"""auditor — audit vehicle drive data and the home/work labels a model predicts from it."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("auditor")
except PackageNotFoundError:  # running from a source tree or a frozen bundle
    __version__ = "0.1.0"
