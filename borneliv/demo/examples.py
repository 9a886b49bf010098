"""The children the shipped example import files refer to (``docs/examples/``).

The demo's own children are born over the six years before the day it is loaded, so their CPR
numbers change from day to day; a file shipped with the code cannot name them. These few children
have fixed numbers instead, and the demo registers them beside its own (through
``children.services.child_register``, marked synthetic), so that on any demo:

- ``school_start_example.csv`` — school-start exams of these children in August 2026 at
  Smedegårdskolen — passes its dry run (new exams, one held for review);
- ``children_example.csv`` — new births — passes too, and its row for Alma Bæk, who is
  registered already with that name and area, is "unchanged";
- the two ``…_errors_example.csv`` files show every kind of row error, the "registered already
  under another name" one with Malthe Skov.

Their numbers use the serials **9990–9999** of the synthetic range (``docs/decisions/0003``),
which the demo's own children never reach (it would take 495 children of one sex born on one
day), so no demo child ever takes one of them. They live in Aalborg Øst from birth with a
parent in a family of their own, have no health-visiting history or measurements (they were
added for the examples, after the generated data) and, like every demo child, invented names.
"""

from __future__ import annotations

from dataclasses import dataclass

from borneliv.children import services as child_services
from borneliv.children.models import Child
from borneliv.demo.common import demo_units
from borneliv.organisations.models import Area


@dataclass(frozen=True)
class ExampleChild:
    cpr: str
    first_name: str
    last_name: str
    area: str  # an area of Aalborg (0851)
    guardian: str  # a parent, in a family named after the child
    relation: str  # Guardian.Relation


#: Born in 2020, they start school in August 2026.
EXAMPLE_CHILDREN: tuple[ExampleChild, ...] = (
    ExampleChild("150320-9990", "Alma", "Bæk", "Aalborg Øst", "Trine Bæk", "mother"),
    ExampleChild("020620-9991", "Villads", "Krogh", "Aalborg Øst", "Kasper Krogh", "father"),
    ExampleChild("281120-9992", "Ingrid", "Lund", "Aalborg Øst", "Sanne Lund", "mother"),
    ExampleChild("090920-9993", "Malthe", "Skov", "Aalborg Øst", "Henrik Skov", "father"),
    ExampleChild("230420-9994", "Sigrid", "Dam", "Aalborg Øst", "Nadia Dam", "mother"),
)
MUNICIPALITY = "0851"


def _is_the_demo() -> bool:
    """The demo programme with its children, never a real registry."""
    return demo_units().exists() and Child.objects.filter(is_synthetic=True).exists()


def example_child_ids() -> set[int]:
    """The registry ids of the example children (for tests that look at the demo's own)."""
    keys = [
        child_services.cpr_pseudonym(child_services.cpr_parse(child.cpr).digits)
        for child in EXAMPLE_CHILDREN
    ]
    return set(Child.objects.filter(cpr_pseudonym__in=keys).values_list("pk", flat=True))


def demo_examples_load() -> int:
    """Register the example children that are missing (none outside the demo); how many."""
    if not _is_the_demo():
        return 0
    areas = {area.name: area for area in Area.objects.filter(municipality__code=MUNICIPALITY)}
    added = 0
    for spec in EXAMPLE_CHILDREN:
        parsed = child_services.cpr_parse(spec.cpr)
        if Child.objects.filter(cpr_pseudonym=child_services.cpr_pseudonym(parsed.digits)).exists():
            continue
        child_services.child_register_with_family(
            family_name=spec.last_name,
            guardians=[{"name": spec.guardian, "relation": spec.relation}],
            cpr=spec.cpr,
            first_name=spec.first_name,
            last_name=spec.last_name,
            area=areas[spec.area],
            resident_from=parsed.birth_date,
            is_synthetic=True,
        )
        added += 1
    return added
