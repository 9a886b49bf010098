"""The Nærhedscirkel's pages: who sees which circle, curating through the pages, the GeoJSON,
the poster downloads, the public link for parents, the area map."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from borneliv.nearby import services
from borneliv.nearby.models import Circle, CirclePlace, Extract
from borneliv.nearby.tests.conftest import ClientFor, Osterbro, fresh
from borneliv.organisations.models import Goal

FESTPLADSEN = "osm:way/361383054"
FAELLEDPARKEN = "osm:way/218537939"


def _url(osterbro: Osterbro, suffix: str = "", *, lindholm: bool = False) -> str:
    institution = osterbro.lindholm if lindholm else osterbro.troldhoj
    return f"/nearby/institutions/{institution.pk}/{suffix}"


def _place(circle: Circle, key: str) -> CirclePlace:
    return CirclePlace.objects.get(circle=circle, osm_key=key)


# --- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "troldhoj", "lindholm"),
    [
        ("pia", 200, 404),  # pedagogue of Troldhøj
        ("lars", 404, 200),  # project leader of Aalborg
        ("ada", 200, 200),
        ("hanne", 404, 404),  # health visitor
        ("tina", 404, 404),  # teacher of another institution
        ("carl", 404, 404),
        ("rikke", 404, 404),  # researcher
        ("otto", 404, 404),
    ],
)
def test_who_opens_which_circle(
    osterbro: Osterbro, client_for: ClientFor, persona: str, troldhoj: int, lindholm: int
) -> None:
    client = client_for(persona)
    assert client.get(_url(osterbro)).status_code == troldhoj
    assert client.get(_url(osterbro, lindholm=True)).status_code == lindholm
    assert client.get(_url(osterbro, "circle.geojson")).status_code == troldhoj


def test_pia_curates_her_daycare_but_not_another(osterbro: Osterbro, client_for: ClientFor) -> None:
    client = client_for("pia")
    page = client.get(_url(osterbro)).content.decode()
    assert 'id="places-form"' in page and 'id="own-place-form"' in page
    assert client.post(_url(osterbro, "compute/")).status_code == 302
    assert client.post(_url(osterbro, "compute/", lindholm=True)).status_code == 404
    assert client.post(_url(osterbro, "public-link/", lindholm=True)).status_code == 404


def test_lars_reads_the_circle_but_changes_nothing(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    client = client_for("lars")
    page = client.get(_url(osterbro, lindholm=True)).content.decode()
    assert "Børnehaven Lindholm Å" in page
    assert 'id="places-form"' not in page and 'id="own-place-form"' not in page
    assert "disabled" in page  # the checkboxes show the choices, read-only
    place = _place(osterbro.lindholm_circle, FAELLEDPARKEN)
    for suffix, data in [
        ("compute/", {}),
        ("settings/", {"walk_kmh": 4, "bike_kmh": 12, "walk_minutes": 10, "bike_minutes": 5}),
        ("places/", {"included": [place.pk]}),
        ("places/add/", {"own-latitude": 55.707, "own-longitude": 12.565, "own-name": "X"}),
        (f"places/{place.pk}/", {"included": "on"}),
        ("public-link/", {}),
    ]:
        assert client.post(_url(osterbro, suffix, lindholm=True), data).status_code == 403, suffix
    assert not fresh(place).included
    assert client.get(_url(osterbro, f"places/{place.pk}/", lindholm=True)).status_code == 200


def test_the_list_shows_each_user_her_institutions(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    pia = client_for("pia").get("/nearby/").content.decode()
    assert "Børnehuset Troldhøj" in pia and "Børnehaven Lindholm Å" not in pia
    lars = client_for("lars").get("/nearby/").content.decode()
    assert "Børnehaven Lindholm Å" in lars and "Gl. Lindholm Skole" in lars
    assert f'href="/nearby/areas/{osterbro.world.lindholm.pk}/"' in lars
    assert "/nearby/areas/" not in pia
    assert "Børnehuset Troldhøj" not in lars and "Sundhedsplejen Aalborg" not in lars
    ada = client_for("ada").get("/nearby/").content.decode()
    assert "Imported map data" in ada and "dk_copenhagen_osterbro_2017.osm.pbf" in ada
    assert client_for("otto").get("/nearby/").status_code == 404
    assert client_for("hanne").get("/nearby/").status_code == 404


def test_the_list_runs_a_fixed_number_of_queries(
    osterbro: Osterbro, client_for: ClientFor, django_assert_max_num_queries: Any
) -> None:
    client = client_for("ada")
    client.get("/nearby/")
    with django_assert_max_num_queries(12):
        assert client.get("/nearby/").status_code == 200


def test_the_navigation_offers_the_circle_to_staff_and_project_leaders(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    for persona, shown in [("pia", True), ("lars", True), ("ada", True), ("hanne", False)]:
        page = client_for(persona).get("/").content.decode()
        assert ('href="/nearby/"' in page) == shown, persona


# --- the curation page ------------------------------------------------------------------------------


def test_the_page_shows_the_edge_warning_and_the_poster_links(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    page = client_for("pia").get(_url(osterbro)).content.decode()
    assert "The map data end close by: the circle may be larger than shown." in page
    assert f"/nearby/institutions/{osterbro.troldhoj.pk}/poster.pdf?paper=A4" in page
    assert f"/nearby/institutions/{osterbro.troldhoj.pk}/poster.png?paper=A3" in page
    assert osterbro.troldhoj_circle.public_token in page
    assert "Fælledparken" in page and "Trafiklegepladsen" in page


def test_ticking_places_puts_them_on_the_circle(osterbro: Osterbro, client_for: ClientFor) -> None:
    circle = osterbro.troldhoj_circle
    park, fest = _place(circle, FAELLEDPARKEN), _place(circle, FESTPLADSEN)
    response = client_for("pia").post(_url(osterbro, "places/"), {"included": [park.pk, fest.pk]})
    assert response.status_code == 302
    assert set(circle.places.filter(included=True)) == {park, fest}
    client_for("pia").post(_url(osterbro, "places/"), {"included": [park.pk]})
    assert set(circle.places.filter(included=True)) == {park}


def test_a_place_is_renamed_and_described(osterbro: Osterbro, client_for: ClientFor) -> None:
    place = _place(osterbro.troldhoj_circle, FESTPLADSEN)
    play = Goal.objects.get(code="play")
    response = client_for("pia").post(
        _url(osterbro, f"places/{place.pk}/"),
        {
            "included": "on",
            "display_name": "Danseplænen",
            "description": "Her kan vi danse",
            "goals": [play.pk],
            "lock_version": place.lock_version,
        },
    )
    assert response.status_code == 302
    place = fresh(place)
    assert (place.included, place.name, place.description) == (
        True,
        "Danseplænen",
        "Her kan vi danse",
    )
    page = client_for("pia").get(_url(osterbro)).content.decode()
    assert "Danseplænen" in page and "in the map data: Festpladsen" in page


def test_a_place_of_another_circle_is_not_found_through_this_one(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    other = _place(osterbro.lindholm_circle, FESTPLADSEN)
    assert client_for("pia").get(_url(osterbro, f"places/{other.pk}/")).status_code == 404


def test_an_own_place_is_added_from_the_map_click(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    response = client_for("pia").post(
        _url(osterbro, "places/add/"),
        {
            "own-latitude": "55.707000",
            "own-longitude": "12.567500",
            "own-name": "Bænken med udsigt",
            "own-category": "own",
            "own-description": "Her spiser vi madpakker",
        },
    )
    assert response.status_code == 302
    own = osterbro.troldhoj_circle.places.get(source="own")
    assert (own.name, own.included, own.latitude) == ("Bænken med udsigt", True, 55.707)
    assert own.walk_minutes is not None


def test_an_own_place_without_a_click_is_refused_with_the_page(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    response = client_for("pia").post(_url(osterbro, "places/add/"), {"own-name": "Bageren"})
    assert response.status_code == 400
    assert "Click on the map where the place is." in response.content.decode()
    assert not osterbro.troldhoj_circle.places.filter(source="own").exists()


def test_new_settings_recompute_the_circle(osterbro: Osterbro, client_for: ClientFor) -> None:
    response = client_for("pia").post(
        _url(osterbro, "settings/"),
        {
            "walk_kmh": "3.5",
            "bike_kmh": "12",
            "walk_minutes": "10",
            "bike_minutes": "8",
            "lock_version": osterbro.troldhoj_circle.lock_version,
        },
    )
    assert response.status_code == 302
    circle = fresh(osterbro.troldhoj_circle)
    assert (circle.walk_kmh, circle.walk_minutes) == (3.5, 10)
    assert circle.computed_at > osterbro.troldhoj_circle.computed_at


def test_settings_out_of_range_show_the_form_again(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    response = client_for("pia").post(
        _url(osterbro, "settings/"),
        {"walk_kmh": "45", "bike_kmh": "12", "walk_minutes": "10", "bike_minutes": "8"},
    )
    assert response.status_code == 400
    assert fresh(osterbro.troldhoj_circle).walk_kmh == 4.5


def test_a_daycare_without_map_data_explains_how_to_import(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    world = osterbro.world
    page = client_for("ada").get(f"/nearby/institutions/{world.albertslund_daycare.pk}/")
    text = page.content.decode()
    assert "No map data has been imported for Albertslund yet." in text
    assert "How to import map data" in text and "nearby_import" in text


#: What only an administrator can act on: server paths, commands, tools, file names.
SERVER_WORDS = (
    "nearby_import",
    "borneliv ",
    "var/nearby",
    "incoming",
    "osmium",
    "geofabrik",
    "bbbike",
    ".osm",
    ".pbf",
    "extract",
    "How to import",
)


def _main_text(response: Any) -> str:
    """The visible words of the page's main part (no markup, no asset paths)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def _no_server_words(text: str) -> None:
    for word in SERVER_WORDS:
        assert word.lower() not in text.lower(), word


@pytest.mark.parametrize(
    ("persona", "institution"),
    [("pia", "troldhoj"), ("tina", "gl_lindholm_skole"), ("ada", "troldhoj")],
)
def test_without_map_data_staff_learn_whom_to_ask_and_administrators_how(
    osterbro: Osterbro, client_for: ClientFor, persona: str, institution: str
) -> None:
    Extract.objects.all().delete()  # no map data anywhere
    inst = getattr(osterbro.world, institution)

    text = _main_text(client_for(persona).get(f"/nearby/institutions/{inst.pk}/"))

    assert f"No map data has been imported for {inst.municipality.name} yet." in text
    if persona == "ada":
        assert "How to import map data" in text and "borneliv nearby_import" in text
        assert "Ask your administrator" not in text
    else:
        assert "Ask your administrator to import map data." in text
        _no_server_words(text)


@pytest.mark.parametrize("persona", ["pia", "tina", "ada"])
def test_staff_see_no_file_names_or_server_advice_on_their_circle_pages(
    osterbro: Osterbro, client_for: ClientFor, persona: str
) -> None:
    world = osterbro.world
    # pia: her computed circle (cut by the data edge); tina: her school, outside the map data
    # imported for Aalborg, not computed yet; ada sees both.
    pages = {"pia": [world.troldhoj], "tina": [world.gl_lindholm_skole]}.get(
        persona, [world.troldhoj, world.gl_lindholm_skole]
    )
    client = client_for(persona)
    texts = [_main_text(client.get(f"/nearby/institutions/{inst.pk}/")) for inst in pages]
    texts.append(_main_text(client.get("/nearby/")))
    joined = " ".join(texts)

    if persona == "ada":
        assert "dk_copenhagen_osterbro_2017.osm.pbf" in joined
        assert "Import an extract that covers a larger area to see all of it." in joined
    else:
        _no_server_words(joined)
        assert "OpenStreetMap" in joined
    if persona == "pia":
        assert "Ask your administrator for map data that cover a larger area" in joined
    if persona == "tina":
        assert "The map data are ready." in joined


def test_a_teacher_whose_school_lies_outside_the_map_data_is_told_whom_to_ask(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    school = osterbro.world.gl_lindholm_skole
    response = client_for("tina").post(f"/nearby/institutions/{school.pk}/compute/", follow=True)

    text = _main_text(response)
    assert (
        "Gl. Lindholm Skole lies outside the imported map data. Ask your administrator to import "
        "map data that cover it."
    ) in text
    _no_server_words(text)


def test_dates_on_the_circle_page_read_day_month_year_in_danish(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    client = client_for("pia")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"

    text = _main_text(client.get(_url(osterbro)))
    listing = _main_text(client.get("/nearby/"))

    assert "OpenStreetMap, 06.03.2017" in text  # the date of the map data
    computed = fresh(osterbro.troldhoj_circle).computed_at
    assert computed is not None
    assert timezone.localtime(computed).strftime("%d.%m.%Y %H:%M") in text
    assert timezone.localtime(computed).strftime("%d.%m.%Y") in listing
    for page in (text, listing):
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", page)  # no ISO dates
        assert not re.search(r"\b\d{1,2}\. [a-zæøå]+ \d{4}\b", page)  # nor "6. marts 2017"


def test_unnamed_places_are_shown_by_their_made_names_in_the_readers_language(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    circle = osterbro.troldhoj_circle
    playground = _place(circle, "osm:way/358313407")
    services.place_curate(by=osterbro.world.pia, place=playground, included=True)
    english = client_for("pia").get(_url(osterbro)).content.decode()
    danish = Client().get(f"/nearby/p/{fresh(circle).public_token}/").content.decode()

    assert "Playground near Serridslevvej" in english
    assert "Legeplads ved Serridslevvej" in danish


# --- GeoJSON -------------------------------------------------------------------------------------


def _ring_closed(ring: list[list[float]]) -> bool:
    return len(ring) >= 4 and ring[0] == ring[-1]


def test_the_geojson_holds_the_base_map_areas_places_and_the_daycare(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    park = _place(osterbro.troldhoj_circle, FAELLEDPARKEN)
    services.place_curate(by=osterbro.world.pia, place=park, included=True)
    response = client_for("pia").get(_url(osterbro, "circle.geojson"))
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    south_west_north_east = data["bbox"]
    assert len(south_west_north_east) == 4
    layers = [f["properties"]["layer"] for f in data["features"]]
    assert {"streets", "buildings", "green", "walk_area", "bike_area", "place", "start"} <= set(
        layers
    )
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        assert geometry["type"] in {"Point", "Polygon", "MultiPolygon", "LineString"}
        if geometry["type"] == "MultiPolygon":
            assert all(
                _ring_closed(ring) for polygon in geometry["coordinates"] for ring in polygon
            )
        if geometry["type"] == "Polygon":
            assert all(_ring_closed(ring) for ring in geometry["coordinates"])
        if geometry["type"] == "Point":
            lon, lat = geometry["coordinates"]
            assert 55.69 < lat < 55.72 and 12.55 < lon < 12.58
    places = [f["properties"] for f in data["features"] if f["properties"]["layer"] == "place"]
    assert len(places) == 16
    park_props = next(p for p in places if p["id"] == park.pk)
    assert park_props["included"] is True and park_props["name"] == "Fælledparken"
    assert park_props["category_label"] == "Park" and park_props["walk"].isdigit()
    assert data["properties"]["cut_by_edge"] is True


# --- posters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "paper", "content_type", "magic"),
    [("pdf", "A4", "application/pdf", b"%PDF"), ("png", "A3", "image/png", b"\x89PNG\r\n\x1a\n")],
)
def test_the_poster_downloads_as_pdf_and_png(
    osterbro: Osterbro, client_for: ClientFor, fmt: str, paper: str, content_type: str, magic: bytes
) -> None:
    park = _place(osterbro.troldhoj_circle, FAELLEDPARKEN)
    services.place_curate(
        by=osterbro.world.pia, place=park, included=True, description="Den store bakke"
    )
    response = client_for("pia").get(_url(osterbro, f"poster.{fmt}") + f"?paper={paper}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)
    assert response["Content-Disposition"] == (
        f'attachment; filename="proximity-circle-boernehuset-troldhoej-{paper.lower()}.{fmt}"'
    )


def test_the_poster_file_name_keeps_its_danish_meaning(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    client = client_for("pia")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    response = client.get(_url(osterbro, "poster.png") + "?paper=A3")
    assert response["Content-Disposition"] == (
        'attachment; filename="naerhedscirkel-boernehuset-troldhoej-a3.png"'
    )


def test_an_unknown_poster_format_is_not_found(osterbro: Osterbro, client_for: ClientFor) -> None:
    assert client_for("pia").get(_url(osterbro, "poster.svg")).status_code == 404


# --- the public link ----------------------------------------------------------------------------


def _curate_for_parents(osterbro: Osterbro) -> None:
    circle, pia = osterbro.troldhoj_circle, osterbro.world.pia
    services.place_curate(
        by=pia, place=_place(circle, FAELLEDPARKEN), included=True, description="Den store bakke"
    )
    services.place_add_own(
        by=pia, circle=circle, latitude=55.7070, longitude=12.5675, name="Bænken med udsigt"
    )


def test_parents_open_the_public_link_without_logging_in(osterbro: Osterbro) -> None:
    _curate_for_parents(osterbro)
    circle = fresh(osterbro.troldhoj_circle)
    response = Client().get(f"/nearby/p/{circle.public_token}/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "Børnehuset Troldhøj" in page
    assert "Fælledparken" in page and "Den store bakke" in page and "Bænken med udsigt" in page
    # Only the places on the circle; nothing of the staff's page.
    assert "Trafiklegepladsen" not in page and "Zoologisk Museum" not in page
    assert 'id="places-form"' not in page and "Pia" not in page and "osm:" not in page
    assert "/nearby/institutions/" not in page


def test_the_public_geojson_holds_only_the_places_on_the_circle(osterbro: Osterbro) -> None:
    _curate_for_parents(osterbro)
    token = fresh(osterbro.troldhoj_circle).public_token
    data = json.loads(Client().get(f"/nearby/p/{token}/circle.geojson").content)
    places = [f["properties"] for f in data["features"] if f["properties"]["layer"] == "place"]
    assert sorted(p["name"] for p in places) == ["Bænken med udsigt", "Fælledparken"]
    assert [p["number"] for p in places] == [1, 2]
    for props in places:
        assert not {"id", "edit_url", "osm_name", "change"} & set(props)


def test_the_public_poster_downloads_without_login(osterbro: Osterbro) -> None:
    token = osterbro.troldhoj_circle.public_token
    response = Client().get(f"/nearby/p/{token}/poster.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_renewing_the_link_invalidates_the_old_one(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    old = osterbro.troldhoj_circle.public_token
    assert Client().get(f"/nearby/p/{old}/").status_code == 200
    assert client_for("pia").post(_url(osterbro, "public-link/")).status_code == 302
    new = fresh(osterbro.troldhoj_circle).public_token
    assert new != old
    assert Client().get(f"/nearby/p/{old}/").status_code == 404
    assert Client().get(f"/nearby/p/{old}/circle.geojson").status_code == 404
    assert Client().get(f"/nearby/p/{new}/").status_code == 200


def test_an_unknown_token_is_not_found(osterbro: Osterbro) -> None:
    assert Client().get("/nearby/p/not-a-token/").status_code == 404


# --- the area map ---------------------------------------------------------------------------------


def test_the_project_leader_sees_the_circles_of_an_area_on_one_map(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    area = osterbro.world.lindholm
    client = client_for("lars")
    page = client.get(f"/nearby/areas/{area.pk}/").content.decode()
    assert "Børnehaven Lindholm Å" in page and "Gl. Lindholm Skole" in page
    data = json.loads(client.get(f"/nearby/areas/{area.pk}/circles.geojson").content)
    starts = [f["properties"] for f in data["features"] if f["properties"]["layer"] == "start"]
    assert {s["institution"] for s in starts} >= {"Børnehaven Lindholm Å", "Gl. Lindholm Skole"}
    has_circle = {s["institution"]: s["has_circle"] for s in starts}
    assert has_circle["Børnehaven Lindholm Å"] and not has_circle["Gl. Lindholm Skole"]
    assert any(f["properties"]["layer"] == "walk_area" for f in data["features"])


def test_others_do_not_see_the_area_map(osterbro: Osterbro, client_for: ClientFor) -> None:
    area = osterbro.world.lindholm
    for persona in ("pia", "tina", "hanne", "otto"):
        assert client_for(persona).get(f"/nearby/areas/{area.pk}/").status_code == 404, persona
    assert (
        client_for("lars").get(f"/nearby/areas/{osterbro.world.slangerup.pk}/").status_code == 404
    )


def test_the_settings_show_and_take_a_decimal_comma_in_danish(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    client = client_for("pia")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    html = client.get(_url(osterbro)).content.decode()
    assert 'name="walk_kmh" value="4,5" inputmode="decimal"' in html
    assert 'name="bike_kmh" value="15" inputmode="decimal"' in html  # not "15,0" nor "15.0"
    response = client.post(
        _url(osterbro, "settings/"),
        {
            "walk_kmh": "3,5",
            "bike_kmh": "12",
            "walk_minutes": "10",
            "bike_minutes": "8",
            "lock_version": osterbro.troldhoj_circle.lock_version,
        },
    )
    assert response.status_code == 302
    assert fresh(osterbro.troldhoj_circle).walk_kmh == 3.5
    lars = client_for("lars")  # reads the Lindholm daycare's circle (the default 4.5 km/h)
    lars.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    assert "4,5 km/t" in _main_text(lars.get(_url(osterbro, lindholm=True)))
