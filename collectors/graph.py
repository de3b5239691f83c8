"""Meta Graph API plumbing shared by the Instagram and Facebook collectors.

One GET helper that attaches the token, and one place that turns a Graph error body
(`{"error":{"message","type","code","error_subcode","fbtrace_id"}}`) into a typed error.
The token travels only as the `access_token` query parameter of requests built here; it is
scrubbed from every message, and Graph `paging.next` links (which carry it) are never followed
or stored as given: their query is re-read and the request rebuilt.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from collectors.base import CollectContext
from collectors.errors import AuthError, CollectorError, HttpStatusError, ParseError, SourceNotFound
from pantau.redaction import redact_text, register_secret

log = logging.getLogger(__name__)

GRAPH_API = "https://graph.facebook.com/v25.0"

# Codes from the Graph API error reference and the rate-limiting page.
TOKEN_CODES = frozenset({190, 102, 2500})  # expired/invalid token, session, "active access token"
PERMISSION_CODES = frozenset({3, 10} | set(range(200, 300)))  # capability, permission denied, pXXX
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008,
                              80009, 80014})
# 803: "Some of the aliases you requested do not exist"; 110: "Invalid user id" (Business
# Discovery answers it for a username that is not a business/creator account); 24: "Cannot find
# User"; 100 with subcode 33: "Object with ID ... does not exist".
NOT_FOUND_CODES = frozenset({803, 110, 24})
USAGE_HEADERS = ("X-App-Usage", "X-Business-Use-Case-Usage", "X-Page-Usage", "X-Ad-Account-Usage")


class GraphError(CollectorError):
    """A Graph API error that none of the specific classes below covers."""

    kind = "graph_error"

    def __init__(self, message: str, code: int | None = None, subcode: int | None = None):
        self.code = code
        self.subcode = subcode
        super().__init__(message)


class GraphTokenInvalid(AuthError):
    """Code 190 and friends: the token expired, was revoked or is malformed."""

    kind = "token_invalid"


class GraphPermissionDenied(AuthError):
    """Codes 10 and 200-299: the token lacks a permission or feature (Page Public Content Access...)."""

    kind = "permission_denied"


class GraphRateLimited(CollectorError):
    """Codes 4, 17, 32, 613, 800xx: application, user, page or business-use-case limit reached."""

    kind = "rate_limited"


class GraphAccountNotFound(SourceNotFound):
    """The account or page does not exist, or is not a business/creator account we may see."""

    kind = "account_not_found"


def api_root(options: Mapping[str, Any], default: str = GRAPH_API) -> str:
    """The API root, version included; a source's `api_base` option replaces it."""
    return str(options.get("api_base") or default).rstrip("/")


def graph_error(payload: Any, headers: Mapping[str, str], secrets: tuple[str, ...]) -> CollectorError:
    """The typed error for a Graph error body (already decoded)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return GraphError("Graph API error without an error object")
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    text = redact_text(str(error.get("message", "")), secrets)
    # `type` is the server's text as much as `message` is (it may echo the request URL, token
    # included): the whole label is redacted.
    label = redact_text(f"Graph API error {code}" + (f"/{subcode}" if subcode else "")
                        + f" ({error.get('type', '')}): {text}", secrets)
    if code in RATE_LIMIT_CODES:
        usage = "; ".join(f"{name}: {headers[name]}" for name in USAGE_HEADERS if name in headers)
        return GraphRateLimited(f"{label} [{usage or 'no usage header'}]")
    if code in TOKEN_CODES:
        return GraphTokenInvalid(label)
    if code in PERMISSION_CODES:
        return GraphPermissionDenied(label)
    if code in NOT_FOUND_CODES or (code == 100 and subcode == 33) or "cannot find user" in text.lower():
        return GraphAccountNotFound(label)
    return GraphError(label, code, subcode)


def graph_get(ctx: CollectContext, url: str, params: dict[str, Any], token: str) -> dict:
    """GET one Graph resource with the token; raise a typed error for a Graph error answer."""
    secrets = (token,)
    register_secret(token)  # every writer masks it from now on, in every encoding
    query = {**params, "access_token": token}
    try:
        response = ctx.http.get(url, params=query, api=True)
    except HttpStatusError as exc:
        payload = exc.json()
        if payload is None:
            raise
        raise graph_error(payload, _header_map(exc.headers), secrets) from None
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise ParseError(f"Graph API answered {response.content_type or 'something'} that is not a JSON object")
    if "error" in payload:
        raise graph_error(payload, _header_map(response.headers), secrets)
    return payload


def next_page_params(paging: Mapping[str, Any]) -> dict[str, str] | None:
    """Query parameters for the next page, rebuilt from `paging` without the token; None at the end.

    A `paging.next` link carries the token and may point at another host than `api_base`: only
    its paging parameters (after, until, __paging_token...) are taken.
    """
    next_link = paging.get("next")
    if not next_link:
        return None
    query = dict(parse_qsl(urlsplit(str(next_link)).query, keep_blank_values=True))
    query.pop("access_token", None)
    query.pop("appsecret_proof", None)
    return query


def _header_map(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers by canonical name, whatever case the server used."""
    out = {}
    for name, value in headers.items():
        for wanted in USAGE_HEADERS:
            if name.lower() == wanted.lower():
                out[wanted] = value
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
