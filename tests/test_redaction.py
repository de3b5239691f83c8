"""pantau/redaction.py: one rule and one marker for every place a credential could leak."""

from __future__ import annotations

import logging

import pytest

from pantau.redaction import MARKER, RedactSecrets, redact_text, redact_url


@pytest.mark.parametrize(("expected", "text"), [
    # a full URL inside an exception text
    ("HTTP 400 (https://graph.facebook.com/v25.0/1/posts?access_token=***&limit=5)",
     "HTTP 400 (https://graph.facebook.com/v25.0/1/posts?access_token=EAAB123&limit=5)"),
    # urllib3's request line: host and path apart, so no full URL to parse
    ('http://localhost:8080 "GET /youtube/v3/search?part=id&key=*** HTTP/1.1" 200 512',
     'http://localhost:8080 "GET /youtube/v3/search?part=id&key=AIzaSecret HTTP/1.1" 200 512'),
    ('"GET /v25.0/1?ACCESS_TOKEN=*** HTTP/1.1"', '"GET /v25.0/1?ACCESS_TOKEN=tok HTTP/1.1"'),
    ("https://***@example.org/feed", "https://user:pw@example.org/feed"),
    ("tanpa URL", "tanpa URL"),
    ("", None),
])
def test_redact_text_uses_one_marker_everywhere(expected, text):
    assert redact_text(text) == expected
    assert redact_text(expected) == expected  # redacting twice changes nothing


def test_a_secret_echoed_in_an_api_message_is_masked_too():
    message = "Invalid OAuth 2.0 Access Token EAAB-very-secret (code 190)"
    assert redact_text(message, ("EAAB-very-secret", "")) == f"Invalid OAuth 2.0 Access Token {MARKER} (code 190)"


def test_marker_keeps_a_redacted_url_valid_and_readable():
    assert redact_url("https://x.example/a?token=s3cr3t&page=2") == f"https://x.example/a?token={MARKER}&page=2"


def test_log_filter_rewrites_records_with_a_secret_only():
    record = logging.LogRecord("urllib3.connectionpool", logging.DEBUG, __file__, 1,
                               '%s "GET %s HTTP/1.1"', ("http://h:1", "/x?key=abc&q=1"), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == f'http://h:1 "GET /x?key={MARKER}&q=1 HTTP/1.1"'
    plain = logging.LogRecord("requests", logging.DEBUG, __file__, 1, "no secret %s", ("here",), None)
    assert RedactSecrets().filter(plain) and plain.args == ("here",)
