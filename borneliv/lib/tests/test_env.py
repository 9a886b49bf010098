"""The typed readers that turn environment variables into settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from borneliv.lib.env import (
    envbool,
    envint,
    envlist,
    envorigin,
    envsecret,
    envstr,
    load_env_file,
    origin_host,
    read_env_file,
)

NAME = "BORNELIV_TEST_VALUE"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NAME, raising=False)
    monkeypatch.delenv(f"{NAME}_FILE", raising=False)


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_it_reads_yes_as_true(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(NAME, raw)
    assert envbool(NAME, False) is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", ""])
def test_it_reads_no_as_false(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(NAME, raw)
    assert envbool(NAME, True) is False


def test_it_falls_back_to_the_default_boolean_when_unset() -> None:
    assert envbool(NAME, True) is True
    assert envbool(NAME, False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "enabled"])
def test_it_refuses_a_boolean_that_is_neither_yes_nor_no(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ValueError, match=f"{NAME} must be one of") as excinfo:
        envbool(NAME, False)
    assert repr(raw) in str(excinfo.value)


def test_it_reads_an_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "42")
    assert envint(NAME, 5) == 42


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_it_falls_back_to_the_default_integer_when_unset_or_blank(
    monkeypatch: pytest.MonkeyPatch, raw: str | None
) -> None:
    if raw is not None:
        monkeypatch.setenv(NAME, raw)
    assert envint(NAME, 5) == 5


def test_it_refuses_an_integer_that_is_not_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "fifteen")
    with pytest.raises(ValueError, match=f"{NAME} must be an integer, not 'fifteen'"):
        envint(NAME, 5)


def test_it_reads_a_string_or_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert envstr(NAME, "fallback") == "fallback"
    assert envstr(NAME) == ""
    monkeypatch.setenv(NAME, "value")
    assert envstr(NAME, "fallback") == "value"


def test_it_reads_a_comma_separated_list_without_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, " borneliv.example.dk, ,localhost ,")
    assert envlist(NAME, ["default"]) == ["borneliv.example.dk", "localhost"]


def test_it_falls_back_to_the_default_list_when_unset() -> None:
    assert envlist(NAME, ["127.0.0.1"]) == ["127.0.0.1"]


def test_it_reads_a_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "s3cret")
    assert envsecret(NAME) == "s3cret"


def test_it_reads_a_secret_from_the_file_named_by_NAME_FILE(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(secret_file))
    assert envsecret(NAME) == "from-a-file"


def test_it_prefers_the_variable_to_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(secret_file))
    monkeypatch.setenv(NAME, "from-the-variable")
    assert envsecret(NAME) == "from-the-variable"


def test_it_has_no_secret_when_neither_is_set() -> None:
    assert envsecret(NAME) is None


def test_it_parses_an_env_file_with_comments_and_blank_lines(tmp_path: Path) -> None:
    env_file = tmp_path / "local.env"
    env_file.write_text(
        "# written by borneliv init-local\n\nBORNELIV_HTTPS=0\n BORNELIV_SECRET_KEY = a=b=c \n",
        encoding="utf-8",
    )
    assert read_env_file(env_file) == {"BORNELIV_HTTPS": "0", "BORNELIV_SECRET_KEY": "a=b=c"}


def test_it_reads_a_missing_env_file_as_empty(tmp_path: Path) -> None:
    assert read_env_file(tmp_path / "absent.env") == {}


def test_it_names_the_line_of_a_malformed_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "local.env"
    env_file.write_text("A=1\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"local\.env:2: expected KEY=value"):
        read_env_file(env_file)


def test_it_never_lets_the_env_file_override_a_real_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = f"{NAME}_OTHER"
    monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(NAME, "from-the-environment")
    env_file = tmp_path / "local.env"
    env_file.write_text(f"{NAME}=from-the-file\n{other}=only-in-the-file\n", encoding="utf-8")

    load_env_file(env_file)

    import os

    assert os.environ[NAME] == "from-the-environment"
    assert os.environ[other] == "only-in-the-file"
    monkeypatch.delenv(other)


@pytest.mark.parametrize(
    ("raw", "origin"),
    [
        ("https://borneliv.example.dk", "https://borneliv.example.dk"),
        ("https://Borneliv.Example.DK/", "https://borneliv.example.dk"),
        (" http://192.168.1.20:8000 ", "http://192.168.1.20:8000"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        ("", ""),
    ],
)
def test_it_reads_a_site_address(monkeypatch: pytest.MonkeyPatch, raw: str, origin: str) -> None:
    monkeypatch.setenv(NAME, raw)
    assert envorigin(NAME) == origin


@pytest.mark.parametrize(
    "raw",
    [
        "borneliv.example.dk",  # no scheme
        "ftp://borneliv.example.dk",
        "https://borneliv.example.dk/borneliv",  # a path: links would get it twice
        "https://borneliv.example.dk/?a=1",
        "https://user:secret@borneliv.example.dk",
        "http://localhost:99999",
        "https://",
    ],
)
def test_it_refuses_what_is_not_a_site_address(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ValueError, match=f"{NAME} must be the site's address"):
        envorigin(NAME)


def test_the_host_of_an_address_as_allowed_hosts_spells_it() -> None:
    assert origin_host("https://borneliv.example.dk") == "borneliv.example.dk"
    assert origin_host("http://192.168.1.20:8000") == "192.168.1.20"
    assert origin_host("http://[::1]:8000") == "[::1]"
