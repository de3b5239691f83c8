"""Runtime configuration: command-line flags, then environment, then defaults.

Credentials are read here and nowhere else, from the environment or from Streamlit secrets
under the same names. They are never logged: `Config.__repr__` hides them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pantau.redaction import register_secret

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_REGISTRY = DATA_DIR / "blora"
DEFAULT_DB_URL = f"sqlite:///{DATA_DIR / 'pantau.db'}"

TOKEN_NAMES = ("PANTAU_IG_TOKEN", "PANTAU_IG_USER_ID", "PANTAU_FB_TOKEN", "PANTAU_YOUTUBE_KEY")
# The secret ones (an account id is not): masked by value wherever a message may go.
SECRET_NAMES = ("PANTAU_IG_TOKEN", "PANTAU_FB_TOKEN", "PANTAU_YOUTUBE_KEY")
MODES = ("public", "internal")


def _streamlit_secret(name: str) -> str | None:
    """A value from Streamlit secrets, when running under Streamlit with a secrets file."""
    # Only under Streamlit: importing it costs seconds on every CLI call otherwise.
    if "streamlit" not in sys.modules:
        return None
    try:
        import streamlit as st

        if name in st.secrets:
            return str(st.secrets[name])
    except Exception:  # no secrets file, or not under Streamlit: both simply mean "absent"
        return None
    return None


def credential(name: str) -> str | None:
    """A token from the environment, else Streamlit secrets; None when not configured."""
    value = os.environ.get(name) or _streamlit_secret(name)
    if value and name in SECRET_NAMES:
        register_secret(value)  # every writer masks it from now on, in every encoding
    return value or None


@dataclass(frozen=True)
class Config:
    db_url: str = DEFAULT_DB_URL
    registry_dir: Path = DEFAULT_REGISTRY
    mode: str = "public"
    simulated: bool = False
    credentials: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def resolve(
        cls,
        db: str | None = None,
        registry: str | Path | None = None,
        mode: str | None = None,
    ) -> Config:
        db_url = db or os.environ.get("PANTAU_DB") or DEFAULT_DB_URL
        registry_dir = Path(registry or os.environ.get("PANTAU_REGISTRY") or DEFAULT_REGISTRY)
        chosen_mode = (mode or os.environ.get("PANTAU_MODE") or "public").strip().lower()
        if chosen_mode not in MODES:
            chosen_mode = "public"
        simulated = os.environ.get("PANTAU_SIMULATED", "").lower() in ("1", "true", "yes")
        creds = {name: value for name in TOKEN_NAMES if (value := credential(name))}
        return cls(
            db_url=normalise_db_url(db_url),
            registry_dir=registry_dir,
            mode=chosen_mode,
            simulated=simulated,
            credentials=creds,
        )


def normalise_db_url(value: str) -> str:
    """Accept a bare file path as a SQLite database, for convenience on the command line."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).resolve()}"


def reference_date(timezone: str) -> date:
    """"Today" for every number: the local date in the zone, unless PANTAU_TODAY (YYYY-MM-DD) pins it.

    The demo pins it to the simulation's last day, so its pages and recaps match its data.
    """
    from pantau.calendar import today_in  # here: pantau.calendar imports pandas, every CLI call imports config

    pinned = os.environ.get("PANTAU_TODAY", "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError as exc:
            raise ValueError(f"PANTAU_TODAY must be a date as YYYY-MM-DD, got {pinned!r}") from exc
    return today_in(timezone)


def lock_timing() -> tuple[timedelta, timedelta]:
    """(heartbeat interval, stale bound) of the collection lock: 15 s and 60 s, or
    PANTAU_LOCK_HEARTBEAT_SECONDS and PANTAU_LOCK_STALE_SECONDS (tests shorten them)."""
    def seconds(name: str, default: float) -> timedelta:
        value = os.environ.get(name, "").strip()
        try:
            number = float(value) if value else default
        except ValueError:
            number = -1.0
        if not number > 0:
            print(f"pantau: {name} must be a number of seconds above 0, got {value!r}; using {default:g}",
                  file=sys.stderr)
            number = default
        return timedelta(seconds=number)
    heartbeat = seconds("PANTAU_LOCK_HEARTBEAT_SECONDS", 15.0)
    return heartbeat, max(seconds("PANTAU_LOCK_STALE_SECONDS", 60.0), 2 * heartbeat)
