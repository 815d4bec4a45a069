"""Passwords (argon2id through argon2-cffi), random tokens and their hashes, constant-time compares.

Random values (session cookies, API tokens, CSRF tokens) come from ``secrets`` with 256 bits and
are stored as their sha256: the database never holds a value that would let its reader sign in."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.access.settings import AccessSettings

TOKEN_PREFIX = "sgr_"  # API tokens: recognisable by secret scanners and in a leaked log line


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher(config: AccessSettings) -> PasswordHasher:
    return _hasher(config.argon2_time_cost, config.argon2_memory_kib, config.argon2_parallelism)


def hash_password(config: AccessSettings, password: str) -> str:
    return hasher(config).hash(password)


def verify_password(config: AccessSettings, stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no stored hash (an unknown user, an SSO-only
    user) a hash is still computed, so the answer takes as long and tells nothing."""
    ph = hasher(config)
    if not stored:
        ph.hash(password)
        return False
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(config: AccessSettings, stored: str) -> bool:
    """The stored hash was made with other cost settings: re-hash it at the next good login."""
    try:
        return hasher(config).check_needs_rehash(stored)
    except InvalidHashError:
        return True


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def new_api_token() -> str:
    return TOKEN_PREFIX + random_token()


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two secrets (False when either is missing)."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def csrf_for_session(session_token: str) -> str:
    """The CSRF token of a session: derived from the cookie's secret value, so a page can carry it
    while only the browser holding the HttpOnly cookie can know it, and no server secret is needed."""
    return hashlib.sha256(b"sagsrute-csrf:" + session_token.encode("utf-8")).hexdigest()
