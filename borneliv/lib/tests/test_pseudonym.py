"""Encryption (Fernet) and keyed pseudonyms (HMAC) for identifiers such as CPR numbers."""

from __future__ import annotations

import time

import pytest
from cryptography.fernet import Fernet

from borneliv.lib import pseudonym

KEY = Fernet.generate_key().decode()
OTHER_KEY = Fernet.generate_key().decode()
SECRET = "pseudonym-key-for-tests"


def test_encryption_round_trips() -> None:
    token = pseudonym.encrypt(KEY, "0102249001")
    assert pseudonym.decrypt(KEY, token) == "0102249001"


def test_a_ciphertext_hides_the_plaintext_and_differs_each_time() -> None:
    first = pseudonym.encrypt(KEY, "0102249001")
    second = pseudonym.encrypt(KEY, "0102249001")
    assert first != second
    assert "0102249001" not in first


def test_another_key_cannot_decrypt() -> None:
    token = pseudonym.encrypt(KEY, "0102249001")
    with pytest.raises(pseudonym.SecretKeyError) as info:
        pseudonym.decrypt(OTHER_KEY, token)
    assert "0102249001" not in str(info.value)


def test_bytes_round_trip_and_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    token = pseudonym.encrypt_bytes(KEY, b"cpr;fornavn\n")
    assert pseudonym.decrypt_bytes(KEY, token, ttl=60) == b"cpr;fornavn\n"
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(pseudonym.SecretKeyError):
        pseudonym.decrypt_bytes(KEY, token, ttl=60)


@pytest.mark.parametrize("key", ["", "not a fernet key", b"short"])
def test_a_missing_or_malformed_key_is_refused(key: str | bytes) -> None:
    with pytest.raises(pseudonym.SecretKeyError):
        pseudonym.encrypt(key, "x")


def test_a_pseudonym_is_stable() -> None:
    assert pseudonym.pseudonym(SECRET, "0102249001") == pseudonym.pseudonym(SECRET, "0102249001")


def test_a_pseudonym_depends_on_the_key_and_the_identifier() -> None:
    base = pseudonym.pseudonym(SECRET, "0102249001")
    assert pseudonym.pseudonym("another key", "0102249001") != base
    assert pseudonym.pseudonym(SECRET, "0102249003") != base
    assert pseudonym.pseudonym(SECRET.encode(), "0102249001") == base


def test_a_pseudonym_is_a_keyed_hash_not_a_plain_one() -> None:
    import hashlib

    value = pseudonym.pseudonym(SECRET, "0102249001")
    assert len(value) == 64 and int(value, 16) >= 0
    assert value != hashlib.sha256(b"0102249001").hexdigest()
    assert "0102249001" not in value


def test_a_pseudonym_needs_a_key() -> None:
    with pytest.raises(pseudonym.SecretKeyError):
        pseudonym.pseudonym("", "0102249001")
