"""The `pantau` command: one subcommand per module of `pantau.commands`.

Exit codes: 0 success; 1 the command ran but found a problem the user must fix; 2 wrong usage;
3 another collection is already running.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from importlib import import_module

from pantau.commands.common import CommandError
from pantau.redaction import install_log_filter

# Each module offers NAME, HELP, configure(parser) and run(args) -> int. Listed explicitly, so
# `pantau --help` shows exactly the subcommands that exist.
COMMANDS = (
    "pantau.commands.export",
    "pantau.commands.collect",
    "pantau.commands.worker",
    "pantau.commands.registry",
    "pantau.commands.importer",
    "pantau.commands.discover",
    "pantau.commands.screen",
    "pantau.commands.recap",
    "pantau.commands.summary",
    "pantau.commands.demo",
    "pantau.commands.bench",
    "pantau.commands.users",
)


def common_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--registry", metavar="DIR",
                        help="registry folder (default: $PANTAU_REGISTRY or the shipped Blora registry)")
    parent.add_argument("--db", metavar="URL",
                        help="database URL or SQLite file (default: $PANTAU_DB or data/pantau.db)")
    parent.add_argument("-v", "--verbose", action="store_true", help="log progress to standard error")
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pantau",
        description="Pantau: how a regency's government units publish their work.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parent = common_options()
    for module_name in COMMANDS:
        module = import_module(module_name)
        sub = subparsers.add_parser(module.NAME, help=module.HELP, description=module.HELP, parents=[parent])
        # A subcommand may say what its --db defaults to (the demo never touches $PANTAU_DB).
        for action in sub._actions:
            if action.dest == "db" and hasattr(module, "DB_HELP"):
                action.help = module.DB_HELP
        module.configure(sub)
        sub.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_log_filter(logging.getLogger().handlers)  # every record, whichever logger, is scrubbed
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:  # `pantau export ... | head`
        return 0
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:  # a problem the user must fix, raised below the command's own checks
        print(f"pantau: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the safety net: a clerk sees one line, never a traceback
        return unexpected(exc, debug=args.verbose or os.environ.get("PANTAU_DEBUG", "") not in ("", "0"))


def unexpected(exc: BaseException, debug: bool = False) -> int:
    """One clear line on standard error for an exception no command expected; exit code 1.

    The traceback is printed only with -v or PANTAU_DEBUG=1. The message is redacted: a database
    error may quote a URL with its password, an HTTP error a token.
    """
    from pantau.failures import describe

    if debug:
        traceback.print_exc()
    print(f"pantau: {describe(exc)}", file=sys.stderr)
    if not debug:
        print("pantau: (run again with -v or PANTAU_DEBUG=1 to see where it happened)", file=sys.stderr)
    return 1


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
