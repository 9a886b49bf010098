"""Reading OpenStreetMap extracts: both shipped files, broken data, bounding boxes, progress."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from borneliv.nearby import osm
from borneliv.nearby.tests.synthetic import NORTH_ZEALAND, OSTERBRO
from borneliv.nearby.types import MapData


@pytest.fixture(scope="module")
def osterbro() -> MapData:
    return osm.read(OSTERBRO)


def test_it_reads_the_osterbro_pbf(osterbro: MapData) -> None:
    assert len(set(osterbro.way_ids)) == 260  # highways a pedestrian or cyclist might use
    # Playgrounds, parks, pitches, woods, the museum …; not the 200 buildings or the cafés.
    assert 25 < len(osterbro.features) < 40
    assert not any("building" in f.tags and len(f.tags) == 1 for f in osterbro.features)
    assert osterbro.node_ids.size == osterbro.lat.size == osterbro.lon.size > 1000
    assert bool(np.all(np.diff(osterbro.node_ids) > 0))
    layers = osterbro.basemap
    assert len(layers.streets) == len(layers.street_ranks) > 100
    assert len(layers.paths) > 50 and len(layers.buildings) > 200 and len(layers.green) > 10
    assert len(layers.water) == 1
    assert osterbro.data_timestamp is not None and osterbro.data_timestamp.startswith("2017-03")


def test_the_osterbro_pbf_is_taken_to_cover_its_core_not_its_cut_ways(osterbro: MapData) -> None:
    # The PBF lost the Overpass bounds (55.7010–55.7103 N, 12.5582–12.5717 E); its complete ways
    # reach 55.667–55.713 N. The free-standing nodes mark the core the export was cut to.
    south, west, north, east = osterbro.bbox
    assert south == pytest.approx(55.7010, abs=0.0005) and north == pytest.approx(55.7103, abs=5e-4)
    assert west == pytest.approx(12.5582, abs=0.0005) and east == pytest.approx(12.5717, abs=5e-4)
    # Network nodes outside the core are where the data end.
    outside = (osterbro.lat < south) | (osterbro.lat > north)
    assert bool(np.isin(osterbro.node_ids[outside], osterbro.edge_node_ids).all())


def test_it_reads_the_playground_way_as_a_feature_with_its_outline(osterbro: MapData) -> None:
    feature = next(f for f in osterbro.features if f.tags.get("name") == "Trafiklegepladsen")
    assert (feature.osm_type, feature.osm_id) == ("way", 26794168)
    assert 55.703 < feature.lat < 55.706 and 12.567 < feature.lon < 12.572
    assert feature.area_m2 > 1000
    assert len(feature.outline) > 4 and feature.outline[0] == feature.outline[-1]


MULTIPOLYGON = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="55.7000" lon="12.5600"/>
  <node id="2" lat="55.7000" lon="12.5630"/>
  <node id="3" lat="55.7020" lon="12.5630"/>
  <node id="4" lat="55.7020" lon="12.5600"/>
  <node id="5" lat="55.7005" lon="12.5605"/>
  <node id="6" lat="55.7005" lon="12.5610"/>
  <node id="7" lat="55.7010" lon="12.5610"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/></way>
  <way id="11"><nd ref="3"/><nd ref="4"/><nd ref="1"/></way>
  <way id="12"><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="5"/></way>
  <relation id="20">
    <member type="way" ref="10" role="outer"/>
    <member type="way" ref="11" role="outer"/>
    <member type="way" ref="12" role="inner"/>
    <tag k="type" v="multipolygon"/><tag k="landuse" v="forest"/><tag k="name" v="Skoven"/>
  </relation>
</osm>
"""


def test_a_multipolygon_of_two_outer_ways_and_a_hole_becomes_one_feature(tmp_path: Path) -> None:
    path = tmp_path / "wood.osm"
    path.write_text(MULTIPOLYGON, encoding="utf-8")
    data = osm.read(path)
    assert dict(data.skipped) == {}
    (wood,) = data.features
    assert (wood.osm_type, wood.osm_id, wood.tags["name"]) == ("relation", 20, "Skoven")
    outer = 0.002 * 111_320 * 0.003 * 111_320 * 0.56353  # cos(55.70°)
    hole = 0.0005 * 111_320 * 0.0005 * 111_320 * 0.56353 / 2
    assert wood.area_m2 == pytest.approx(outer - hole, rel=0.01)
    assert 55.7000 < wood.lat < 55.7020 and 12.5600 < wood.lon < 12.5630
    assert len(wood.outline) == 5  # the joined outer ring, closed
    assert len(data.basemap.green) == 1


def test_the_north_zealand_file_has_seven_highway_ways() -> None:
    data = osm.read(NORTH_ZEALAND)
    assert len(set(data.way_ids)) == 7
    assert sorted({t["highway"] for t in data.way_tags}) == ["path", "service", "track"]
    assert data.bbox == pytest.approx((55.9931, 12.4167, 55.9992, 12.4345))  # the XML's bounds
    assert len(data.features) > 0
    assert data.data_timestamp == "2024-04-16T08:41:16Z"  # <meta osm_base>


BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="55.7000" lon="12.5600"/>
  <node id="2" lat="55.7001" lon="12.5601"/>
  <node id="3" lat="55.7003" lon="12.5603"/>
  <node id="4" lat="55.7004" lon="12.5604"/>
  <node id="5" lat="95.0000" lon="12.5605"/>
  <node id="6" lat="55.7010" lon="12.5610"/>
  <node id="7" lat="55.7010" lon="12.5620"/>
  <node id="8" lat="55.7020" lon="12.5620"/>
  <node id="9" lat="55.7005" lon="12.5605"><tag k="leisure" v="playground"/></node>
  <way id="10">
    <nd ref="1"/><nd ref="2"/><nd ref="99"/><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="residential"/>
  </way>
  <way id="11"><nd ref="1"/><nd ref="98"/><tag k="highway" v="footway"/></way>
  <way id="12">
    <nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="6"/>
  </way>
  <relation id="20">
    <member type="way" ref="12" role="outer"/>
    <member type="way" ref="13" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="leisure" v="park"/><tag k="name" v="Parken"/>
  </relation>
  <relation id="21">
    <member type="way" ref="14" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="natural" v="water"/>
  </relation>
  <relation id="22">
    <member type="node" ref="1" role=""/>
    <tag k="type" v="multipolygon"/><tag k="landuse" v="forest"/>
  </relation>
</osm>
"""


def test_broken_objects_are_skipped_and_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text(BROKEN, encoding="utf-8")
    data = osm.read(path)
    assert dict(data.skipped) == {
        "node_bad_coordinates": 1,  # node 5
        "way_missing_nodes": 2,  # ways 10 and 11
        "relation_missing_members": 2,  # 20 (way 13) and 21 (way 14)
        "relation_broken": 2,  # 21 has no ring left; 22 has no member ways at all
    }
    # Way 10 is kept as its two runs of known nodes; way 11 keeps one node only: dropped.
    assert data.way_ids == [10, 10]
    assert [data.node_ids[n].tolist() for n in data.way_nodes] == [[1, 2], [3, 4]]
    # The network is cut next to the missing node.
    assert {2, 3} <= set(data.edge_node_ids.tolist())
    # The park keeps the ring it has.
    park = next(f for f in data.features if f.osm_type == "relation")
    assert (park.osm_id, park.tags["name"]) == (20, "Parken")
    assert park.area_m2 > 1000
    assert any(f.osm_type == "node" and f.osm_id == 9 for f in data.features)


def test_a_bounding_box_keeps_only_the_nodes_inside_and_flags_the_cut(osterbro: MapData) -> None:
    box = (55.7035, 12.5620, 55.7060, 12.5680)
    data = osm.read(OSTERBRO, bbox=box, margin_m=0)
    south, west, north, east = data.bbox
    assert box[0] <= south < north <= box[2] and box[1] <= west < east <= box[3]
    assert 0 < data.node_ids.size < osterbro.node_ids.size / 2
    assert bool(((data.lat >= box[0]) & (data.lat <= box[2])).all())
    assert bool(((data.lon >= box[1]) & (data.lon <= box[3])).all())
    assert all(box[0] <= f.lat <= box[2] for f in data.features if f.osm_type == "node")
    assert dict(data.skipped) == {}  # ways cut by the box are not errors
    # Nodes by the border (where the ways were cut) are edge nodes; nodes in the middle are not.
    border = osm.border_metres(data.lat, data.lon, data.bbox)
    edge = np.isin(data.node_ids, data.edge_node_ids)
    assert bool(edge[border < osm.EDGE_BORDER_M].all())
    assert not bool(edge[border > 100].any())


def test_a_wide_bounding_box_on_a_cut_file_still_finds_the_files_own_edge(
    osterbro: MapData,
) -> None:
    # Around Klostervængets Skole with 3 km to spare: the box reaches beyond the export's core.
    data = osm.read(OSTERBRO, bbox=(55.7052, 12.5583, 55.7052, 12.5583), margin_m=3000)
    assert data.bbox == pytest.approx(osterbro.bbox)


def test_a_margin_widens_the_bounding_box() -> None:
    narrow = osm.read(OSTERBRO, bbox=(55.705, 12.565, 55.705, 12.565), margin_m=100)
    wide = osm.read(OSTERBRO, bbox=(55.705, 12.565, 55.705, 12.565), margin_m=400)
    assert bool((np.abs(narrow.lat - 55.705) <= 100 / 111_320).all())
    assert 0 < narrow.node_ids.size < wide.node_ids.size


def test_progress_is_reported_in_bytes_up_to_the_total() -> None:
    calls: list[tuple[int, int]] = []
    osm.read(OSTERBRO, progress=lambda done, total: calls.append((done, total)))
    total = 2 * OSTERBRO.stat().st_size
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_file_that_is_not_osm_raises_value_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.osm"
    path.write_text("this is not xml", encoding="utf-8")
    with pytest.raises(ValueError, match=r"notes\.osm"):
        osm.read(path)
    with pytest.raises(FileNotFoundError):
        osm.read(tmp_path / "missing.osm.pbf")
