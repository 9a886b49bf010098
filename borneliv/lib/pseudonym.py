"""Encryption and keyed pseudonyms for identifiers such as CPR numbers. Django-free.

- ``encrypt``/``decrypt``: Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) with a key
  from the environment; ciphertexts differ each time, so they cannot be compared.
- ``pseudonym``: HMAC-SHA256 with a separate secret key; the same identifier always gives the
  same pseudonym, so it serves for look-ups and duplicate checks, but cannot be reversed or
  recomputed without the key (unlike a plain hash of a 10-digit number, which can be brute-forced).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class SecretKeyError(ValueError):
    """A key is missing or malformed."""


def fernet(key: str | bytes) -> Fernet:
    if not key:
        raise SecretKeyError("No encryption key is configured (BORNELIV_CPR_KEY).")
    try:
        return Fernet(key)
    except (ValueError, TypeError) as exc:
        raise SecretKeyError("The encryption key is not a valid Fernet key.") from exc


def encrypt(key: str | bytes, plaintext: str) -> str:
    return fernet(key).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(key: str | bytes, token: str, *, ttl: int | None = None) -> str:
    """The plaintext of ``token``; with ``ttl`` (seconds) only if it was encrypted that recently."""
    try:
        return fernet(key).decrypt(token.encode("ascii"), ttl=ttl).decode("utf-8")
    except InvalidToken as exc:
        raise SecretKeyError(
            "The stored value cannot be decrypted with the configured key (or it has expired)."
        ) from exc


def encrypt_bytes(key: str | bytes, plaintext: bytes) -> str:
    return fernet(key).encrypt(plaintext).decode("ascii")


def decrypt_bytes(key: str | bytes, token: str, *, ttl: int | None = None) -> bytes:
    try:
        return fernet(key).decrypt(token.encode("ascii"), ttl=ttl)
    except InvalidToken as exc:
        raise SecretKeyError(
            "The stored value cannot be decrypted with the configured key (or it has expired)."
        ) from exc


def pseudonym(key: str | bytes, identifier: str) -> str:
    """HMAC-SHA256 of ``identifier`` under ``key``, as 64 hex digits."""
    if not key:
        raise SecretKeyError("No pseudonym key is configured (BORNELIV_PSEUDONYM_KEY).")
    secret = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(secret, identifier.encode("utf-8"), hashlib.sha256).hexdigest()
