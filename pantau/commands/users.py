"""pantau users: the reviewer accounts of internal mode (add, list, disable, enable, password).

An account has a role (`peninjau` marks flagged posts; `admin` also opens Ekspor and Kesehatan
Sumber) and optionally a kecamatan: its internal pages then show only that kecamatan's units.
A password is asked twice on the terminal (or read from standard input with --password-stdin);
`--no-password` makes an account that signs in only through the identity provider (st.login),
its username being the e-mail address the provider gives.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from pantau.accounts import ROLES, AccountBook, AccountError
from pantau.commands.common import CommandError, config_from, fail, open_store, registry_from

NAME = "users"
HELP = "manage the reviewer accounts of internal mode (add, list, disable, enable, password)"


def _common(action: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """--db and --registry after the action too (`pantau users add budi --db URL`); SUPPRESS keeps a
    value given before the action from being reset."""
    action.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help="database URL or SQLite file (default: $PANTAU_DB or data/pantau.db)")
    action.add_argument("--registry", metavar="DIR", default=argparse.SUPPRESS,
                        help="registry folder (checks --kecamatan)")
    return action


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = _common(actions.add_parser("add", help="add an account"))
    add.add_argument("username", help="a short name, or the e-mail address for an identity-provider login")
    add.add_argument("--name", required=True, help="the person's name, shown beside their review marks")
    add.add_argument("--role", choices=ROLES, default="peninjau", help="peninjau (default) or admin")
    add.add_argument("--kecamatan", metavar="UNIT_ID", default="",
                     help="limit the internal pages to this kecamatan's units (a camat's login)")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    secret.add_argument("--no-password", action="store_true",
                        help="no password: signs in only through the identity provider (st.login)")
    _common(actions.add_parser("list", help="list the accounts"))
    for action, text in (("disable", "disable an account (it is logged out at its next click)"),
                         ("enable", "enable a disabled account")):
        sub = _common(actions.add_parser(action, help=text))
        sub.add_argument("username")
    password = _common(actions.add_parser("password", help="set a new password"))
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise CommandError("the two passwords differ")
    return first


def kecamatan_scope(unit_id: str, registry) -> str:
    if not unit_id:
        return ""
    units = {u.unit_id: u for u in registry.units}
    if unit_id not in units or units[unit_id].kind != "kecamatan":
        raise CommandError(f"--kecamatan {unit_id!r} is not a kecamatan of the registry")
    return unit_id


def run(args: argparse.Namespace) -> int:
    try:
        config = config_from(args)
        store = open_store(config, create=True)
        try:
            book = AccountBook(store.engine)
            if args.action == "add":
                scope = kecamatan_scope(args.kecamatan, registry_from(config))
                password = None if args.no_password else read_password(args.password_stdin)
                account = book.add(args.username, args.name, args.role, scope, password)
                print(f"added {account.username} ({account.role}"
                      + (f", kecamatan {account.kecamatan}" if account.kecamatan else "")
                      + (", identity provider only" if not account.has_password else "") + ")")
            elif args.action == "list":
                print("username\tname\trole\tkecamatan\tlogin\tactive")
                for a in book.all():
                    print(f"{a.username}\t{a.name}\t{a.role}\t{a.kecamatan or '-'}\t"
                          f"{'password' if a.has_password else 'identity provider'}\t{'yes' if a.active else 'no'}")
            elif args.action in ("disable", "enable"):
                account = book.set_active(args.username, args.action == "enable")
                print(f"{account.username} {'enabled' if account.active else 'disabled'}")
            elif args.action == "password":
                account = book.set_password(args.username, read_password(args.password_stdin))
                print(f"password of {account.username} changed")
        finally:
            store.dispose()
    except (CommandError, AccountError) as exc:
        return fail(str(exc))
    return 0
