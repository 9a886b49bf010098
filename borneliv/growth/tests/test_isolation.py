"""The engine is usable without Django, and the CLI module without pandas at import time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]

CHECK = """
import sys
import {module}
loaded = sorted(name for name in sys.modules if name == "{banned}" or name.startswith("{banned}."))
print(",".join(loaded))
"""


def loaded_after_import(module: str, banned: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", CHECK.format(module=module, banned=banned)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    return result.stdout.strip()


def test_the_engine_imports_no_django() -> None:
    assert loaded_after_import("borneliv.growth.engine", "django") == ""


def test_the_references_import_no_django() -> None:
    assert loaded_after_import("borneliv.growth.references", "django") == ""


def test_the_cli_module_imports_neither_django_nor_pandas() -> None:
    # ``borneliv`` builds its parser from this module on every run, even for `borneliv migrate`.
    assert loaded_after_import("borneliv.growth.cli", "django") == ""
    assert loaded_after_import("borneliv.growth.cli", "pandas") == ""
