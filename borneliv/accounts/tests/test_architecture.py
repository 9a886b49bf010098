"""The dependency rules of docs/architecture.md, checked on the source: no module imports an app
to its right, and the engines import no Django."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the borneliv package

#: Each app's rank: an app may import apps of a lower or equal rank only (lib is not an app).
RANK = {
    "lib": 0,
    "accounts": 1,
    # Background work: knows accounts (who started it); the apps above register their kinds.
    "jobs": 2,
    "organisations": 3,
    "children": 4,
    "growth": 5,
    # A home visit records the weight and length measured on it through growth's service.
    "healthvisits": 6,
    "motor": 6,
    "nearby": 7,
    "demo": 9,
}
#: Apps of equal rank that must not import each other either.
SIDE_BY_SIDE = {frozenset({"healthvisits", "motor"})}
#: Pure engines: plain Python and numpy, no Django.
ENGINES = [
    "healthvisits/schedule.py",
    "healthvisits/reference.py",
    "growth/engine.py",
    "growth/references.py",
    "growth/prevalence.py",
    "motor/engine.py",
    "nearby/types.py",
    "nearby/geo.py",
    "nearby/merge.py",
    "nearby/osm.py",
    "nearby/network.py",
    "nearby/reach.py",
    "nearby/places.py",
    "nearby/engine.py",
    "nearby/geojson.py",
    "nearby/qr.py",
    "nearby/poster.py",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _sources(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", sorted(RANK))
def test_no_app_imports_one_to_its_right(app: str) -> None:
    offences = []
    for path in _sources(app):
        if "tests" in path.parts:
            continue  # tests may build fixtures from any app below demo
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] != "borneliv" or len(parts) < 2 or parts[1] not in RANK:
                continue
            other = parts[1]
            if other == app:
                continue
            if RANK[other] > RANK[app] or frozenset({app, other}) in SIDE_BY_SIDE:
                offences.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offences == []


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "x.py"
    module.write_text("from borneliv.motor import engine\nimport django.db\n")
    assert _imports(module) == {"borneliv.motor", "django.db"}


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_import_no_django(engine: str) -> None:
    modules = _imports(ROOT / engine)
    assert [m for m in modules if m == "django" or m.startswith("django.")] == []
    # Other engines and lib are plain Python too; nothing else of the project may be imported.
    engines = {"borneliv." + e.removesuffix(".py").replace("/", ".") for e in ENGINES}
    project = [m for m in modules if m.startswith("borneliv.")]
    assert [m for m in project if m not in engines and not m.startswith("borneliv.lib")] == []
