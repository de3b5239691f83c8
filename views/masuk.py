"""Masuk: the login of internal mode. Also served, hidden, at the URL of every internal page an
anonymous visitor opens, so that URL shows this form and nothing of the page."""

from __future__ import annotations

from views import auth


def render() -> None:
    auth.login_page()


if __name__ == "__main__":
    render()
