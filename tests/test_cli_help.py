"""`auditor <command> --help` describes every option and argument; `--tab` offers exactly the
registered analyses that have a tab."""
import argparse

from auditor.analysis.registry import REGISTRY
from auditor.cli import build_parser


def _actions(parser, path="auditor"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{path} {name}")
        elif not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            yield path, action


def test_every_option_and_argument_has_a_help_line():
    missing = [(path, a.option_strings or a.dest) for path, a in _actions(build_parser())
               if not (a.help or "").strip()]
    assert missing == []


def test_tab_choices_come_from_the_registry(capsys):
    tab = next(a for path, a in _actions(build_parser()) if path == "auditor open"
               and "--tab" in a.option_strings)
    assert list(tab.choices) == [e.key for e in REGISTRY if e.title and e.view]
    assert list(tab.choices) == ["validation", "local_time", "orphaned_flags", "suspicious",
                                 "tree", "skew", "drift", "duplicates", "scatter", "review"]


def test_open_size_is_parsed_or_refused_in_one_line():
    import pytest

    from auditor.errors import UserError
    from auditor.gui.app import parse_size
    assert parse_size("1280x800") == (1280, 800)
    assert parse_size("1600×1000") == (1600, 1000)
    for bad in ("1280", "axb", "10x10", "1280x800x2"):
        with pytest.raises(UserError, match="--size"):
            parse_size(bad)
