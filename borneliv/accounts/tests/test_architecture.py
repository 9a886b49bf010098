"""The dependency rules of docs/architecture.md, checked on the source.

The ranks are read from the document (its dependency line and its list of top-level modules), so
the two cannot drift apart. Checked: no module imports an app to its right or one beside it; the
engines and the Django-free ``lib`` modules import no Django (directly or through another module
of the project); and no import cycle between any two modules of the project.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the borneliv package
DOC = ROOT.parent / "docs" / "architecture.md"

#: Pure engines: plain Python and numpy, no Django (nor any project module that imports it).
ENGINES = [
    "healthvisits/schedule.py",
    "healthvisits/reference.py",
    "growth/engine.py",
    "growth/references.py",
    "growth/prevalence.py",
    "motor/engine.py",
    "motor/trends.py",
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


# --- what the document says -------------------------------------------------------------------


@dataclass
class Rules:
    """Ranks of the apps (and top-level modules), apps side by side, Django-importing lib modules."""

    rank: dict[str, int]
    side_by_side: set[frozenset[str]] = field(default_factory=set)
    lib_with_django: set[str] = field(default_factory=set)
    top_level: dict[str, str] = field(default_factory=dict)  # module glob → layer it ranks as
    known_cycles: list[list[str]] = field(default_factory=list)  # to be removed, documented

    def layer_of(self, module: str) -> str | None:
        """The app (or layer) a module ``borneliv.x.y`` belongs to; None outside the project."""
        parts = module.split(".")
        if parts[0] != "borneliv" or len(parts) < 2:
            return None
        if parts[1] in self.rank:
            return parts[1]
        for pattern, layer in self.top_level.items():
            if re.fullmatch(pattern.replace("*", ".*"), parts[1]):
                return layer
        return None


def read_rules(text: str) -> Rules:
    """The rules of the section "Which way dependencies point" of architecture.md."""
    section = text.split("## Which way dependencies point", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    chain, *others = [line for line in block.strip("\n").splitlines() if line.strip()]
    rank: dict[str, int] = {}
    side_by_side: set[frozenset[str]] = set()
    for position, group in enumerate(chain.split("←")):
        names = [name.strip() for name in group.split(",") if name.strip()]
        for name in names:
            rank[name] = position
        side_by_side.update(frozenset({a, b}) for a in names for b in names if a != b)
    top = max(rank.values())
    for line in others:  # "↖ demo (loads everything)": above every app
        match = re.search(r"↖\s*(\w+)", line)
        if match:
            top += 1
            rank[match.group(1)] = top
    rank["top"] = top + 1
    lib_with_django = set()
    match = re.search(r"`lib` modules that import Django[^:]*:(.*)", section)
    assert match, "architecture.md names the lib modules that import Django"
    lib_with_django = {name.removesuffix(".py") for name in re.findall(r"`([\w.]+)`", match[1])}
    top_level: dict[str, str] = {}
    for line in section.splitlines():
        found = re.match(r"- top-level (`.*`): rank (?:as )?`?(\w+)`?", line)
        if found:
            for name in re.findall(r"`([\w*./]+)`", found[1]):
                top_level[name.removesuffix("/").removesuffix(".py")] = found[2]
    assert top_level, "architecture.md ranks the top-level modules"
    known_cycles = [
        sorted(f"borneliv.{name}" for name in re.findall(r"`([\w.]+)`", line.split("(")[0]))
        for line in section.splitlines()
        if line.startswith("- known cycle")
    ]
    return Rules(rank, side_by_side, lib_with_django, top_level, sorted(known_cycles))


# --- what the source does ---------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module (or, for ``apps.get_model``, the app's models)
    line: int
    in_function: bool = False
    by_string: bool = False  # apps.get_model("app", "Model")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, root: Path, modules: set[str]) -> list[Import]:
    """Every runtime import of one file, resolved to project modules where possible.

    ``from borneliv import x`` and ``from . import x`` name the module ``x`` when it is one;
    ``if TYPE_CHECKING:`` blocks are skipped (they never run); imports inside functions count.
    """
    source = module_name(path, root)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for statement in node.orelse:
                visit(statement, in_function)
            return
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(source, alias.name, node.lineno, in_function))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                target = candidate if candidate in modules else base
                found.append(Import(source, target, node.lineno, in_function))
        elif isinstance(node, ast.Call) and _is_get_model(node):
            label = _model_label(node)
            if label:
                found.append(
                    Import(source, f"borneliv.{label}.models", node.lineno, in_function, True)
                )
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _is_get_model(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "get_model"


def _model_label(node: ast.Call) -> str | None:
    """The app label of ``get_model("app", "Model")`` or ``get_model("app.Model")``."""
    if not node.args or not isinstance(node.args[0], ast.Constant):
        return None
    value = node.args[0].value
    return value.split(".")[0] if isinstance(value, str) else None


def project_sources(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "migrations" in parts or "tests" in parts:
            continue  # tests may build fixtures from any app; migrations are frozen history
        yield path


@dataclass
class Project:
    root: Path
    imports: list[Import]
    modules: set[str]

    @classmethod
    def read(cls, root: Path) -> Project:
        paths = list(project_sources(root))
        modules = {module_name(p, root) for p in paths}
        imports = [i for p in paths for i in imports_of(p, root, modules)]
        return cls(root, imports, modules)


# --- the rules --------------------------------------------------------------------------------


def rank_violations(project: Project, rules: Rules) -> list[str]:
    """Imports of an app to the right (or beside): ``a.b imports c.d (line n)``."""
    offences = []
    for imp in project.imports:
        mine, theirs = rules.layer_of(imp.source), rules.layer_of(imp.target)
        if mine is None or theirs is None or mine == theirs:
            continue
        if rules.rank[theirs] > rules.rank[mine] or frozenset({mine, theirs}) in rules.side_by_side:
            how = " by get_model" if imp.by_string else ""
            offences.append(f"{imp.source} imports {imp.target}{how} (line {imp.line})")
    return offences


def django_importers(project: Project) -> dict[str, str]:
    """Modules that import Django, directly or through project modules: module → the path."""
    graph: dict[str, set[str]] = {}
    direct: dict[str, str] = {}
    for imp in project.imports:
        if imp.by_string:
            continue
        if imp.target == "django" or imp.target.startswith("django."):
            direct.setdefault(imp.source, imp.target)
        elif imp.target in project.modules:
            graph.setdefault(imp.source, set()).add(imp.target)
    found = {m: f"{m} → {t}" for m, t in direct.items()}
    changed = True
    while changed:
        changed = False
        for module, targets in graph.items():
            if module in found:
                continue
            for target in sorted(targets):
                if target in found:
                    found[module] = f"{module} → {found[target]}"
                    changed = True
                    break
    return found


def django_violations(project: Project, rules: Rules, engines: Iterable[str]) -> list[str]:
    """Engines, and lib modules the document calls Django-free, that reach Django."""
    importers = django_importers(project)
    free = {"borneliv." + e.removesuffix(".py").replace("/", ".") for e in engines}
    free |= {
        m
        for m in project.modules
        if m.startswith("borneliv.lib.") and m.split(".")[2] not in rules.lib_with_django
    }
    return sorted(importers[m] for m in free if m in importers)


def cycles(project: Project) -> list[list[str]]:
    """Import cycles between modules (Tarjan's strongly connected components of size > 1)."""
    graph: dict[str, set[str]] = {m: set() for m in project.modules}
    for imp in project.imports:
        if imp.target in project.modules and imp.target != imp.source and not imp.by_string:
            # A package's __init__ is imported on the way to its modules; it is not an edge.
            if imp.source.startswith(imp.target + "."):
                continue
            graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(found)


# --- the tests on this project ----------------------------------------------------------------


@pytest.fixture(scope="module")
def rules() -> Rules:
    return read_rules(DOC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.read(ROOT)


def test_the_document_ranks_every_app_and_top_level_module(rules: Rules, project: Project) -> None:
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"lib"}
    assert apps <= set(rules.rank)
    top_level = {m for m in project.modules if m.count(".") == 1 and m.split(".")[1] not in apps}
    assert [m for m in sorted(top_level) if rules.layer_of(m) is None] == []


def test_no_module_imports_an_app_to_its_right(rules: Rules, project: Project) -> None:
    assert rank_violations(project, rules) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_an_engine_exists(engine: str) -> None:
    assert (ROOT / engine).is_file()


def test_engines_and_django_free_lib_modules_reach_no_django(
    rules: Rules, project: Project
) -> None:
    assert django_violations(project, rules, ENGINES) == []
    # The document's list is exact: a lib module it names does import Django.
    importers = django_importers(project)
    assert {m for m in rules.lib_with_django if f"borneliv.lib.{m}" not in importers} == set()


def test_no_import_cycles_but_the_documented_ones(rules: Rules, project: Project) -> None:
    # A documented cycle that is gone must leave the document too.
    assert cycles(project) == rules.known_cycles


# --- the rules fail on a violation ------------------------------------------------------------

DOC_SAMPLE = """
## Which way dependencies point

```
lib  ←  low  ←  mid, side  ←  high
                       ↖ demo (loads everything)
```

- `lib` modules that import Django (counted as Django): `db.py`.
- top-level `settings.py`: rank as `lib`
- top-level `urls.py`, `testing*.py`: rank as `top`
- known cycle, to be removed: `low.a` ↔ `low.b` (why)

## Next
"""


def tree(tmp_path: Path, files: dict[str, str]) -> Project:
    root = tmp_path / "borneliv"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            (root / parent / "__init__.py").touch()
        path.write_text(text)
    return Project.read(root)


def test_the_document_is_read_into_ranks() -> None:
    rules = read_rules(DOC_SAMPLE)
    assert rules.rank == {"lib": 0, "low": 1, "mid": 2, "side": 2, "high": 3, "demo": 4, "top": 5}
    assert rules.side_by_side == {frozenset({"mid", "side"})}
    assert rules.lib_with_django == {"db"}
    assert rules.layer_of("borneliv.testing_links") == "top"
    assert rules.layer_of("borneliv.settings") == "lib"
    assert rules.layer_of("borneliv.mystery") is None
    assert rules.known_cycles == [["borneliv.low.a", "borneliv.low.b"]]


@pytest.mark.parametrize(
    "line",
    [
        "from borneliv.high import services",
        "from borneliv import high",
        "import borneliv.high.services",
        "from ..high import services",
        "from borneliv.side.models import Thing",
        "from borneliv import testing",
        "def f():\n    from borneliv.high import services",
        "from django.apps import apps\ndef f():\n    return apps.get_model('high', 'Thing')",
    ],
)
def test_the_rank_rule_reports_an_import_to_the_right(tmp_path: Path, line: str) -> None:
    project = tree(
        tmp_path,
        {
            "mid/views.py": line + "\n",
            "high/services.py": "",
            "high/models.py": "",
            "side/models.py": "",
            "testing.py": "",
        },
    )
    offences = rank_violations(project, read_rules(DOC_SAMPLE))
    assert len(offences) == 1 and offences[0].startswith("borneliv.mid.views imports borneliv.")


def test_the_rank_rule_allows_imports_to_the_left_and_type_checking_ones(tmp_path: Path) -> None:
    project = tree(
        tmp_path,
        {
            "mid/views.py": (
                "from typing import TYPE_CHECKING\n"
                "from borneliv.low import services\n"
                "from . import forms\n"
                "import borneliv.lib.db\n"
                "if TYPE_CHECKING:\n    from borneliv.high.models import Thing\n"
            ),
            "mid/forms.py": "",
            "low/services.py": "",
            "lib/db.py": "",
            "high/models.py": "",
            "mid/tests/test_views.py": "from borneliv.demo import data\n",
        },
    )
    assert rank_violations(project, read_rules(DOC_SAMPLE)) == []


def test_the_django_rule_reports_an_engine_or_a_free_lib_module_reaching_django(
    tmp_path: Path,
) -> None:
    project = tree(
        tmp_path,
        {
            "mid/engine.py": "from borneliv.lib import text\n",
            "lib/text.py": "from borneliv.lib.db import atomic\n",
            "lib/db.py": "from django.db import transaction\n",
            "lib/stats.py": "import numpy\n",
            "high/engine.py": "import django.utils.timezone\n",
        },
    )
    offences = django_violations(
        project, read_rules(DOC_SAMPLE), ["mid/engine.py", "high/engine.py"]
    )
    assert offences == [
        "borneliv.high.engine → django.utils.timezone",
        "borneliv.lib.text → borneliv.lib.db → django.db",
        "borneliv.mid.engine → borneliv.lib.text → borneliv.lib.db → django.db",
    ]


def test_the_cycle_rule_reports_a_cycle_also_through_a_function_local_import(
    tmp_path: Path,
) -> None:
    project = tree(
        tmp_path,
        {
            "low/models.py": "def scope():\n    from borneliv.low.scope import scope_for\n",
            "low/scope.py": "from borneliv.low.models import Membership\n",
            "low/a.py": "from . import b\n",
            "low/b.py": "from borneliv.low import c\n",
            "low/c.py": "import borneliv.low.a\n",
            "low/d.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from borneliv.low.e import E\n"
            ),
            "low/e.py": "from borneliv.low.d import D\n",
        },
    )
    assert cycles(project) == [
        ["borneliv.low.a", "borneliv.low.b", "borneliv.low.c"],
        ["borneliv.low.models", "borneliv.low.scope"],
    ]
