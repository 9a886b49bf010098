"""The Nærhedscirkel in the demo: a daycare on Østerbro with a curated circle.

The demo's towns (Aalborg, Frederikssund, Albertslund) have no map data: a real deployment imports
an extract of its region (the page explains how). The only extract the platform ships is a square
kilometre of Østerbro, Copenhagen (``nearby/data/dk_copenhagen_osterbro_2017.osm.pbf``, ODbL).
So the demo adds one invented daycare there, honestly named as a demo location, to Frederikssund
(the demo pedagogue's municipality; the registry accepts any location in Denmark, and no demo
municipality covers Østerbro), in the Slangerup area, and:

- imports the Østerbro extract for Frederikssund (``services.extract_import``: only the data
  around Frederikssund's institutions are kept, which here means the Østerbro square);
- computes the daycare's circle (``services.circle_compute``);
- curates it as the staff would: ten places on the circle, five of them renamed or described in
  the children's words, one own place (a bench on the path), goals from the programme;
- gives the demo pedagogue (``paedagog``) a membership there, so she curates it too.

Everything goes through ``nearby.services``; loading takes well under a second. Nothing happens
outside the demo programme or when the daycare is there already.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from borneliv.accounts import services as account_services
from borneliv.accounts.actors import SYSTEM
from borneliv.accounts.models import Membership, Role, User
from borneliv.demo import data
from borneliv.demo.common import Writer
from borneliv.nearby import services
from borneliv.nearby.models import CirclePlace
from borneliv.organisations import services as org_services
from borneliv.organisations.models import Area, Goal, Institution, Municipality

EXTRACT = Path(services.__file__).resolve().parent / "data" / "dk_copenhagen_osterbro_2017.osm.pbf"
MUNICIPALITY = "0250"  # Frederikssund
AREA = "Slangerup"
PEDAGOGUE = "paedagog"
NAME = "Børnehuset Fælleden (demo-placering på Østerbro)"
NUMBER = "99990090"  # the documented synthetic Dagtilbudsregister range
#: Langøgade, on the northern edge of Fælledparken.
LOCATION = (55.7078, 12.5690)
ADDRESS = ("Langøgade", "2100", "København Ø")

#: The places put on the circle: OSM key → (name on the circle or "", description, goal codes).
CURATION: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "osm:way/218537939": ("", "Den store bakke er god at rulle ned ad", ("play",)),
    "osm:way/358313407": (
        "Legepladsen ved boldbanerne",
        "Her er gyngerne og den høje rutsjebane",
        ("play",),
    ),
    "osm:way/26794168": ("", "Her cykler vi med rigtige lyskurve og skilte", ("play",)),
    "osm:way/58701139": ("Skoven i parken", "Vi leder efter biller under de væltede træer", ()),
    "osm:way/361383052": ("Madpakkebordene", "Her spiser vi madpakker i solen", ("food",)),
    "osm:way/113219334": ("Den store boldbane", "", ("play",)),
    "osm:way/361383054": ("", "", ()),
    "osm:way/361383053": ("", "", ()),
    "osm:way/172366493": ("", "", ("play",)),
    "osm:way/25657488": ("", "", ()),
}
OWN_PLACE = {
    "name": "Vores bænk ved stien",
    "description": "Her holder vi pause og tæller cykler",
    "latitude": 55.70705,
    "longitude": 12.56855,
    "goals": ("closeness",),
}
MIN_INCLUDED = 8


@dataclass
class NearbyDemoResult:
    loaded: bool
    institution: str = ""
    candidates: int = 0
    included: int = 0
    described: int = 0
    cut_by_edge: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        edge = ", cut by the data edge" if self.cut_by_edge else ""
        return (
            f"  Proximity circle: {self.institution}: {self.included} of {self.candidates} places "
            f"on the circle, {self.described} described{edge} ({self.seconds:.1f} s)"
        )


def demo_nearby_applicable() -> bool:
    """The demo programme is there (Frederikssund, Slangerup, the demo pedagogue), the demo
    daycare is not."""
    return (
        Area.objects.filter(municipality__code=MUNICIPALITY, name=AREA).exists()
        and User.objects.filter(username=PEDAGOGUE).exists()
        and not Institution.objects.filter(name=NAME).exists()
    )


def _goals(codes: tuple[str, ...], goals: dict[str, Goal]) -> list[Goal]:
    return [goals[code] for code in codes if code in goals]


def demo_nearby_load(*, stdout: Writer | None = None) -> NearbyDemoResult:
    """Add the Østerbro demo daycare with its curated circle (one transaction)."""
    started = time.monotonic()
    with transaction.atomic():
        if not demo_nearby_applicable():
            return NearbyDemoResult(loaded=False)
        municipality = Municipality.objects.get(code=MUNICIPALITY)
        area = Area.objects.get(municipality=municipality, name=AREA)
        street, postcode, city = ADDRESS
        daycare = org_services.institution_create(
            municipality=municipality,
            area=area,
            member_from=data.PROGRAMME_START,
            name=NAME,
            kind=Institution.Kind.DAYCARE,
            official_number=NUMBER,
            street=street,
            postcode=postcode,
            city=city,
            latitude=LOCATION[0],
            longitude=LOCATION[1],
            is_synthetic=True,
        )
        pedagogue = User.objects.get(username=PEDAGOGUE)
        if not Membership.objects.filter(user=pedagogue, institution=daycare).exists():
            account_services.membership_create(
                user=pedagogue,
                role=Role.PEDAGOGUE,
                institution=daycare,
                valid_from=data.PROGRAMME_START,
            )
            pedagogue.forget_scope()
        services.extract_import(by=SYSTEM, municipality=municipality, path=EXTRACT, recompute=False)
        summary = services.circle_compute(institution=daycare, by=SYSTEM)
        circle = daycare.nearby_circle
        goals = {g.code: g for g in Goal.objects.all()}
        places = {p.osm_key: p for p in circle.places.filter(source=CirclePlace.Source.OSM)}
        chosen = [key for key in CURATION if key in places]
        # Should the engine find other places one day, still put a plausible few on the circle.
        extra = [k for k in places if k not in chosen][: max(0, MIN_INCLUDED - len(chosen))]
        described = 0
        for key in [*chosen, *extra]:
            name, description, goal_codes = CURATION.get(key, ("", "", ()))
            services.place_curate(
                by=pedagogue,
                place=places[key],
                included=True,
                display_name=name,
                description=description,
                goals=_goals(goal_codes, goals),
            )
            described += bool(description)
        own_goals = _goals(OWN_PLACE["goals"], goals)  # type: ignore[arg-type]
        services.place_add_own(
            by=pedagogue,
            circle=circle,
            latitude=float(OWN_PLACE["latitude"]),  # type: ignore[arg-type]
            longitude=float(OWN_PLACE["longitude"]),  # type: ignore[arg-type]
            name=str(OWN_PLACE["name"]),
            description=str(OWN_PLACE["description"]),
            goals=own_goals,
        )
    result = NearbyDemoResult(
        loaded=True,
        institution=NAME,
        candidates=summary.candidates,
        included=len(chosen) + len(extra) + 1,
        described=described + 1,
        cut_by_edge=summary.cut_by_edge,
        seconds=time.monotonic() - started,
    )
    if stdout is not None:
        stdout.write(result.summary() + "\n")
    return result
