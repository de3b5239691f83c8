"""The README is part of the product: every subcommand and every setting it relies on is documented."""

from __future__ import annotations

from pathlib import Path

from pantau.cli import build_parser
from pantau.config import TOKEN_NAMES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_subcommand_is_in_the_readme():
    names = build_parser()._subparsers._group_actions[0].choices
    missing = [name for name in names if f"pantau {name}" not in README]
    assert not missing, f"undocumented subcommands: {missing}"


def test_every_setting_is_in_the_readme():
    settings = ["PANTAU_DB", "PANTAU_REGISTRY", "PANTAU_MODE", "PANTAU_TODAY", "PANTAU_NOW", *TOKEN_NAMES]
    missing = [name for name in settings if name not in README]
    assert not missing, f"undocumented settings: {missing}"


def test_readme_gives_exactly_two_setup_commands():
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    blocks = setup.split("```")[1::2]
    assert len(blocks) == 2
    assert "pantau demo" in blocks[0] and "pytest" in blocks[1]


def test_where_things_are_names_functions_that_exist():
    import importlib
    import re

    section = README.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"`(pantau\.[\w.]+)`", section)
    assert len(names) >= 15
    missing = []
    for name in names:
        module_name, _, attribute = name.rpartition(".")
        target = None
        while module_name:
            try:
                target = importlib.import_module(module_name)
                break
            except ModuleNotFoundError:
                module_name, _, outer = module_name.rpartition(".")
                attribute = f"{outer}.{attribute}"
        for part in attribute.split("."):
            target = getattr(target, part, None)
        if not callable(target):
            missing.append(name)
    assert missing == []
