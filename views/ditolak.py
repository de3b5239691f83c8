"""Akses ditolak: served, hidden, at the URL of an admin page a peninjau opens."""

from __future__ import annotations

from views import auth


def render() -> None:
    auth.denied_page()


if __name__ == "__main__":
    render()
