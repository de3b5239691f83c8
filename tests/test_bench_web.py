"""`pantau bench web` parses its options and refuses bad ones; its links are the issue's links.
No timing is measured or asserted here."""

from __future__ import annotations

from pantau.cli import build_parser, main
from pantau.sim.web_bench import LINKS


def test_options_parse_with_their_defaults():
    args = build_parser().parse_args(["bench", "web"])
    assert args.what == "web"
    assert args.links == ["unthrottled", "fast4g", "slow4g"]
    assert args.serve == ["nginx", "nginx-https", "demo", "summary"]
    assert args.repeat == 3
    args = build_parser().parse_args(["bench", "web", "--links", "slow4g", "--serve", "demo", "--url",
                                      "prod=https://pantau.example.go.id", "--repeat", "1"])
    assert (args.links, args.serve, args.url, args.repeat) == (["slow4g"], ["demo"],
                                                              ["prod=https://pantau.example.go.id"], 1)


def test_bad_options_are_refused_with_a_message(capsys):
    assert main(["bench", "web", "--url", "no-name-here"]) == 1
    assert "NAME=URL" in capsys.readouterr().err
    assert main(["bench", "web", "--repeat", "0"]) == 1
    assert main(["bench", "web", "--chromium", "/nonexistent/chromium"]) == 1
    assert "no Chromium" in capsys.readouterr().err


def test_links_are_throttled_in_bytes_per_second():
    fast = LINKS["fast4g"].conditions()
    assert fast["downloadThroughput"] == 9_000_000 / 8 and fast["latency"] == 150
    slow = LINKS["slow4g"].conditions()
    assert slow["downloadThroughput"] == 1_600_000 / 8 and slow["latency"] == 150
    assert LINKS["unthrottled"].conditions()["downloadThroughput"] == -1
