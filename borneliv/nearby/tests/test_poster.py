"""The printable poster: one page of the right size, the texts a printed poster must carry, a
QR code that is the URL's, and a list of 30 places that fits without overlapping."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import qrcode
import qrcode.constants
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.text import Text

from borneliv.nearby import poster, qr
from borneliv.nearby.tests.poster_fixture import DESCRIPTIONS, poster_circle
from borneliv.nearby.types import Circle

URL = "https://borneliv.example.dk/naer/8f3a2c91d4e7"
EXTRACT = Path(__file__).resolve().parents[1] / "data" / "dk_copenhagen_osterbro_2017.osm.pbf"


def described(circle: Circle) -> list[poster.PosterPlace]:
    """The circle's places with the staff's descriptions, as the curated page passes them."""
    return [
        poster.PosterPlace(**{**vars(place), "description": DESCRIPTIONS.get(place.name, "")})
        for place in poster.places_from_circle(circle)
    ]


def figure(circle: Circle | None = None, **overrides: object) -> Figure:
    circle = circle or poster_circle()
    arguments: dict[str, object] = {
        "title": "Vores nærhedscirkel",
        "institution": "Børnehuset Troldhøj",
        "public_url": URL,
        "places": described(circle),
    }
    arguments.update(overrides)
    return poster.build_figure(circle, **arguments)  # type: ignore[arg-type]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def by_gid(fig: Figure, gid: str) -> list[object]:
    return [artist for artist in fig.findobj() if artist.get_gid() == gid]


def rendered(fmt: str, **overrides: object) -> bytes:
    circle = poster_circle()
    arguments: dict[str, object] = {
        "title": "Vores nærhedscirkel",
        "institution": "Børnehuset Troldhøj",
        "public_url": URL,
    }
    arguments.update(overrides)
    buffer = io.BytesIO()
    poster.render(circle, buffer, fmt=fmt, **arguments)  # type: ignore[arg-type]
    return buffer.getvalue()


def media_boxes(pdf: bytes) -> list[tuple[float, ...]]:
    return [
        tuple(float(v) for v in match.group(1).split())
        for match in re.finditer(rb"/MediaBox \[ ?([\d. ]+?) ?\]", pdf)
    ]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


# --- the file -------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "points"), [("A4", (595, 842)), ("A3", (842, 1191))])
def test_the_pdf_is_one_page_of_the_paper_size(paper: str, points: tuple[int, int]) -> None:
    pdf = rendered("pdf", paper=paper)

    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    [box] = media_boxes(pdf)
    assert (box[0], box[1]) == (0, 0)
    assert (round(box[2]), round(box[3])) == points


def test_the_pdf_embeds_its_fonts() -> None:
    pdf = rendered("pdf")

    assert b"/FontFile2" in pdf  # TrueType fonts inside the file: it prints the same anywhere
    assert b"DejaVuSans" in pdf


@pytest.mark.parametrize(
    ("paper", "dpi", "size"),
    [("A4", 200, (1653, 2338)), ("A3", 200, (2338, 3307)), ("A4", 100, (826, 1169))],
)
def test_the_png_has_the_paper_size_at_the_resolution(
    paper: str, dpi: int, size: tuple[int, int]
) -> None:
    assert png_size(rendered("png", paper=paper, dpi=dpi)) == size


def test_the_format_comes_from_the_file_name(tmp_path: Path) -> None:
    circle = poster_circle()
    arguments = {"title": "T", "institution": "I", "public_url": None}
    poster.render(circle, tmp_path / "poster.PDF", **arguments)  # type: ignore[arg-type]
    poster.render(circle, str(tmp_path / "poster.png"), **arguments)  # type: ignore[arg-type]

    assert (tmp_path / "poster.PDF").read_bytes().startswith(b"%PDF")
    assert png_size((tmp_path / "poster.png").read_bytes()) == (1653, 2338)
    with pytest.raises(ValueError, match="fmt"):
        poster.render(circle, tmp_path / "poster.svg", **arguments)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fmt"):
        poster.render(circle, io.BytesIO(), **arguments)  # type: ignore[arg-type]


# --- what it says ---------------------------------------------------------------------------


def test_it_carries_the_title_institution_credit_and_footnote() -> None:
    shown = texts(figure(demo_note="Demo-placering"))

    assert "Vores nærhedscirkel" in shown
    assert "Børnehuset Troldhøj" in shown
    assert "© OpenStreetMap-bidragydere" in shown
    assert "Demo-placering" in shown
    assert any(t.startswith("Tiderne er regnet langs veje og stier: gå 4,5 km/t") for t in shown)
    assert "Gå 15 min · 4,5 km/t" in shown
    assert "Cykel 10 min · 15 km/t" in shown


DEMO_NOTE_DA = (
    "Demo: en opdigtet institution, placeret i demoens kortdata (Østerbro, 2017); ikke en rigtig "
    "cirkel."
)


def _overlap(a: object, b: object) -> bool:
    """Whether two window extents share more than half a pixel each way."""
    overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)  # type: ignore[attr-defined]
    overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)  # type: ignore[attr-defined]
    return overlap_x > 0.5 and overlap_y > 0.5


@pytest.mark.parametrize("paper", ["A4", "A3"])
@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("demo_note", [DEMO_NOTE_DA, "Demo-placering " * 30])
def test_the_demo_note_never_covers_the_licence_credit(
    paper: str, language: str, demo_note: str
) -> None:
    fig = figure(paper=paper, language=language, demo_note=demo_note)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # places the credit's white box
    renderer = canvas.get_renderer()
    [credit] = by_gid(fig, "map-credit")
    [note] = by_gid(fig, "demo-note")
    [footnote] = by_gid(fig, "footnote")
    credit_box = credit.get_window_extent(renderer)  # type: ignore[attr-defined]
    white = credit.get_bbox_patch().get_window_extent(renderer)  # type: ignore[attr-defined]
    width, _height = fig.canvas.get_width_height()

    expected = (
        "Kort: © OpenStreetMap-bidragydere, ODbL"
        if language == "da"
        else ("Map: © OpenStreetMap contributors, ODbL")
    )
    assert credit.get_text() == expected  # type: ignore[attr-defined]
    assert credit.get_bbox_patch().get_facecolor()[:3] == (1.0, 1.0, 1.0)  # type: ignore[attr-defined]
    for other in (note, footnote):
        other_box = other.get_window_extent(renderer)  # type: ignore[attr-defined]
        assert not _overlap(white, other_box), other.get_text()  # type: ignore[attr-defined]
        assert not _overlap(credit_box, other_box), other.get_text()  # type: ignore[attr-defined]
    for box in (credit_box, white, note.get_window_extent(renderer)):  # type: ignore[attr-defined]
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0
    # The credit is drawn above anything that might share its place.
    assert credit.get_zorder() > max(  # type: ignore[attr-defined]
        a.get_zorder() for a in fig.axes[1].get_children() if a is not credit
    )


def test_it_says_plainly_when_the_data_edge_cuts_the_circle() -> None:
    fig = figure(poster_circle(cut_by_edge=True))
    notice = by_gid(fig, "edge-notice")

    assert len(notice) == 1
    assert "Kortdata slutter tæt på – cirklen kan være større end vist." in " ".join(
        notice[0].get_text().split()  # type: ignore[attr-defined]
    )
    assert by_gid(fig, "data-edge")  # the edge itself, dashed on the map
    assert "Her slutter kortdata" in texts(fig)


def test_no_edge_notice_when_the_circle_is_whole() -> None:
    fig = figure(poster_circle(cut_by_edge=False))

    assert not by_gid(fig, "edge-notice")
    assert not by_gid(fig, "data-edge")
    assert "© OpenStreetMap-bidragydere" in texts(fig)  # the credit always


def test_the_list_shows_numbers_names_minutes_and_descriptions() -> None:
    shown = texts(figure())

    assert "Bageren der vinker" in shown
    assert "gå 2 min · cykel 1 min" in shown
    assert "Bageren viser os ovnen, hvis vi spørger pænt" in " ".join(shown)
    assert "cykel 8 min" in shown  # the beach: only by bike


def test_it_speaks_english_when_asked() -> None:
    shown = texts(figure(language="en"))

    assert "© OpenStreetMap contributors" in shown
    assert "See the circle online" in shown
    assert "Walk 15 min · 4.5 km/h" in shown
    assert "walk 2 min · cycle 1 min" in shown
    assert "Woods and nature" in shown
    assert not any(t.startswith(("gå ", "Gå ", "cykel ", "Cykel ")) for t in shown)


def test_the_caller_may_replace_any_text() -> None:
    shown = texts(figure(texts={"qr": "Scan mig", "category.playground": "Gynger og rutsjebaner"}))

    assert "Scan mig" in shown
    assert "Gynger og rutsjebaner" in shown
    assert "Se cirklen på nettet" not in shown


def test_the_legend_names_only_the_categories_on_the_poster() -> None:
    circle = poster_circle()
    two = [p for p in described(circle) if p.category in ("park", "library")]
    fig = figure(circle, places=two)

    assert by_gid(fig, "legend-category-park")
    assert by_gid(fig, "legend-category-library")
    assert not by_gid(fig, "legend-category-playground")
    assert len(by_gid(fig, "legend-category-own")) == 0


# --- the QR code ----------------------------------------------------------------------------


def drawn_qr(fig: Figure) -> np.ndarray:
    [patch] = by_gid(fig, "qr-code")
    assert isinstance(patch, PathPatch)
    path = patch.get_path()
    vertices = np.asarray(path.vertices, dtype=np.float64)
    xs, ys = vertices[:, 0], vertices[:, 1]
    # The finder patterns fill three corners, so the dark runs span the whole code.
    size = float(xs.max() - xs.min())
    assert size == pytest.approx(float(ys.max() - ys.min()))
    expected_rows = len(expected_qr())
    return qr.matrix_from_path(path, float(xs.min()), float(ys.min()), size, expected_rows)


def expected_qr() -> np.ndarray:
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(URL)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def test_the_qr_code_drawn_is_the_public_links() -> None:
    fig = figure()

    np.testing.assert_array_equal(drawn_qr(fig), expected_qr())
    assert "Se cirklen på nettet" in texts(fig)


def test_a_qr_code_keeps_its_quiet_zone_white() -> None:
    fig = figure()
    [zone] = by_gid(fig, "qr-quiet-zone")
    [patch] = by_gid(fig, "qr-code")
    xs = np.asarray(patch.get_path().vertices, dtype=np.float64)[:, 0]  # type: ignore[attr-defined]
    module = (xs.max() - xs.min()) / len(expected_qr())

    assert zone.get_facecolor()[:3] == (1.0, 1.0, 1.0)  # type: ignore[attr-defined]
    assert zone.get_width() == pytest.approx(  # type: ignore[attr-defined]
        (xs.max() - xs.min()) + 2 * qr.QUIET_ZONE * module
    )


def test_no_qr_code_without_a_public_link() -> None:
    fig = figure(public_url=None)

    assert not by_gid(fig, "qr-code")
    assert "Se cirklen på nettet" not in texts(fig)


def test_runs_merge_neighbouring_dark_modules() -> None:
    matrix = np.array([[1, 1, 0, 1], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=bool)

    assert qr.runs(matrix) == [(0, 0, 2), (0, 3, 1), (2, 0, 4)]


# --- fitting --------------------------------------------------------------------------------


def text_boxes(fig: Figure, prefix: str) -> Iterator[tuple[Text, object]]:
    renderer = FigureCanvasAgg(fig).get_renderer()
    for text in fig.findobj(Text):
        gid = text.get_gid() or ""
        if gid.startswith(prefix) and text.get_text():
            yield text, text.get_window_extent(renderer)


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_thirty_places_fit_without_overlapping(paper: str) -> None:
    circle = poster_circle(places=30)
    places = described(circle)
    fig = figure(circle, places=places, paper=paper)
    boxes = list(text_boxes(fig, "list-"))
    renderer = FigureCanvasAgg(fig).get_renderer()
    [footnote] = [t for t in fig.findobj(Text) if t.get_gid() == "footnote"]
    footer_top = footnote.get_window_extent(renderer).y1
    legend_bottom = min(
        t.get_window_extent(renderer).y0
        for t in fig.findobj(Text)
        if (t.get_gid() or "").startswith("legend-")
    )

    names = " ".join(t.get_text() for t, _ in boxes if t.get_gid() == "list-name")
    for place in places:
        assert place.name in names
    assert len(by_gid(fig, "marker-30")) == 1
    for (a, box_a), (b, box_b) in combinations(boxes, 2):
        overlap_x = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)  # type: ignore[attr-defined]
        overlap_y = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)  # type: ignore[attr-defined]
        assert overlap_x <= 0.5 or overlap_y <= 0.5, (a.get_text(), b.get_text())
    width, _ = fig.canvas.get_width_height()
    for text, box in boxes:
        assert box.x1 <= width, text.get_text()  # type: ignore[attr-defined]
        assert box.y0 >= footer_top, text.get_text()  # type: ignore[attr-defined]
        assert box.y1 <= legend_bottom, text.get_text()  # type: ignore[attr-defined]


def test_a_list_longer_than_the_page_is_cut_with_its_markers() -> None:
    circle = poster_circle(places=12)
    many = [
        poster.PosterPlace(
            **{**vars(p), "number": n, "description": "Et sted med en lang tekst " * 3}
        )
        for n, p in enumerate(described(circle) * 10, start=1)
    ]
    fig = figure(circle, places=many)
    markers = {a.get_gid() for a in fig.findobj() if (a.get_gid() or "").startswith("marker-")}

    assert 20 < len(markers) < 120
    assert markers == {f"marker-{n}" for n in range(1, len(markers) + 1)}  # the first ones


def test_long_names_and_descriptions_wrap_within_their_column() -> None:
    words = "Den allerstørste legeplads med rutsjebaner gynger og sandkasse ved den gamle mølle"
    lines = poster.wrap(words, 50, 9, weight="bold", max_lines=2)

    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(poster.text_width_mm(line, 9, "bold") <= 50 for line in lines)


def test_balanced_split_keeps_order_and_evens_the_columns() -> None:
    assert poster.balanced_split([1, 1, 1, 1, 1, 1], 3) == [(0, 2), (2, 4), (4, 6)]
    assert poster.balanced_split([5, 1, 1, 1, 1, 1], 2) == [(0, 1), (1, 6)]
    assert poster.balanced_split([2, 2], 3) == [(0, 1), (1, 2)]
    assert poster.balanced_split([], 2) == []


def test_markers_on_the_same_spot_are_pushed_apart() -> None:
    anchors = np.array([[50.0, 50.0], [50.0, 50.0], [51.0, 50.0]])
    bounds = poster.Box(0, 0, 100, 100)
    house = np.array([[40.0, 50.0, 4.0]])

    moved = poster.repel(anchors, 3.0, house, bounds)

    for a, b in combinations(moved, 2):
        assert np.hypot(*(a - b)) >= 6.0
    assert np.all(np.hypot(*(moved - house[0, :2]).T) >= 4.0 + 3.0)
    assert np.all(np.hypot(*(moved - anchors).T) < 10)


# --- the map --------------------------------------------------------------------------------


def test_the_map_keeps_distances_true_in_both_directions() -> None:
    fig = figure()
    [map_ax] = [ax for ax in fig.axes if ax.get_zorder() == 1]
    x0, x1 = map_ax.get_xlim()
    y0, y1 = map_ax.get_ylim()
    box = map_ax.get_position()
    width_in, height_in = fig.get_size_inches()

    metres_per_inch_x = (x1 - x0) / (box.width * width_in)
    metres_per_inch_y = (y1 - y0) / (box.height * height_in)
    assert metres_per_inch_x == pytest.approx(metres_per_inch_y, rel=1e-6)


def test_the_map_draws_the_areas_the_institution_and_every_place() -> None:
    fig = figure()

    assert by_gid(fig, "walk-area")
    assert by_gid(fig, "bike-area")
    assert len(by_gid(fig, "institution")) >= 1
    for number in range(1, 13):
        assert len(by_gid(fig, f"marker-{number}")) == 1
    assert by_gid(fig, "north-arrow")
    assert any(t.endswith((" m", " km")) for t in texts(fig))  # the scale bar's last label


def test_the_scale_bar_has_a_round_length() -> None:
    assert poster._scale_length(10.0, 32) == 250
    assert poster._scale_length(30.0, 32) == 1000
    assert poster._scale_length(3.0, 32) == 100


def test_places_are_numbered_by_walking_time_then_cycling_time() -> None:
    places = poster.places_from_circle(poster_circle())

    assert [p.number for p in places] == list(range(1, 13))
    assert places[0].name == "Bageren der vinker" and places[0].own
    walking = [p.walk_minutes for p in places if p.walk_minutes is not None]
    assert walking == sorted(walking)
    assert [p.name for p in places[-2:]] == ["Byens Bondegård", "Badestranden"]  # bike only


def test_it_draws_the_real_osterbro_circle() -> None:
    from borneliv.nearby import engine

    data = engine.read_extract(EXTRACT)
    circle = engine.circle(data, 55.7075, 12.5625)
    buffer = io.BytesIO()
    poster.render(
        circle,
        buffer,
        fmt="png",
        title="Vores nærhedscirkel",
        institution="Demo-børnehuset",
        public_url=URL,
        demo_note="Demo-placering",
        dpi=50,
    )

    assert png_size(buffer.getvalue()) == (413, 584)
    fig = poster.build_figure(
        circle, title="T", institution="I", public_url=None, demo_note="Demo-placering"
    )
    assert circle.cut_by_edge
    assert by_gid(fig, "edge-notice")
    assert len([a for a in fig.findobj() if (a.get_gid() or "").startswith("marker-")]) == len(
        circle.places
    )
