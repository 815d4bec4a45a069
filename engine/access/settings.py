"""The access settings, from ``SAGSRUTE_*`` environment variables or a settings file
(``SAGSRUTE_SETTINGS_FILE``, ``KEY=value`` lines): never from the repository.

Nothing here is a secret the service must be given: passwords are argon2 hashes in the database,
session cookies and tokens are random values the database holds only as hashes. The settings say
how strict to be (argon2 cost, session lifetimes, throttling), who the trusted proxy is and how
long the access log is kept."""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from typing import Optional

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated


class AccessSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAGSRUTE_", extra="ignore")

    # argon2id cost (argon2-cffi's defaults, RFC 9106's second recommendation); tests set them low.
    argon2_time_cost: int = Field(3, ge=1)
    argon2_memory_kib: int = Field(65536, ge=8)
    argon2_parallelism: int = Field(4, ge=1)
    password_min_length: int = Field(12, ge=1)

    session_hours: float = Field(8.0, gt=0)  # absolute lifetime of a session: a working day
    session_idle_minutes: float = Field(30.0, gt=0)  # signed out after this long without a request
    # The Secure flag on the cookies; only a test on plain http may turn it off.
    cookie_secure: bool = True

    # Login throttling: at most this many failed (or unfinished) logins per user name and per
    # address within the window; further tries are refused without checking the password.
    login_max_failures: int = Field(5, ge=1)
    login_max_failures_per_address: int = Field(20, ge=1)
    login_window_minutes: float = Field(15.0, gt=0)

    # Trusted-header mode: the user name is taken from this header, only on requests whose peer
    # address is one of trusted_proxies (addresses or networks, comma separated).
    trusted_header: Optional[str] = None
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # How long access-log entries are kept (``sagsrute access-log --prune``).
    access_log_retention_days: int = Field(180, ge=1)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # a typo fails at start-up, not on a request
        return value

    @property
    def trusted_mode(self) -> bool:
        return bool(self.trusted_header and self.trusted_proxies)


def load_settings(**overrides) -> AccessSettings:
    """The settings from the environment, over the settings file named by SAGSRUTE_SETTINGS_FILE."""
    env_file = os.environ.get("SAGSRUTE_SETTINGS_FILE")
    return AccessSettings(_env_file=env_file, **overrides) if env_file else AccessSettings(**overrides)


@lru_cache(maxsize=1)
def settings() -> AccessSettings:
    """The process's settings, read once."""
    return load_settings()


def checked_settings(fail) -> AccessSettings:
    """The process's settings, or ``fail(message)`` naming each bad one (``setting: problem``)."""
    from pydantic import ValidationError

    try:
        return settings()
    except ValidationError as exc:
        fail("; ".join(f"SAGSRUTE_{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()))
