"""Area boundaries: the demo city has them; import_boundaries loads GeoJSON and reports codes
that match no area."""

from __future__ import annotations

import json
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal.areas import demo as areas_demo
from portal.areas.models import Area
from portal.dashboard import services
from portal.demo import SeedContext
from portal.errors import InvalidInput


def square(x: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}


def feature(code: str, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def test_the_demo_city_has_a_boundary_for_every_area(db):
    areas_demo.seed(SeedContext(rng=random.Random(1), options={}, write=lambda line: None))

    assert Area.objects.filter(code__startswith="3310").exists()
    assert not Area.objects.filter(code__startswith="3310", boundary__isnull=True).exists()


def test_import_sets_boundaries_and_reports_unmatched_codes(tmp_path, city, district_a, district_b):
    path = tmp_path / "city.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature(district_a.code[:6], square(0)),  # a 6-digit county code
                    feature("999999000000", square(1)),
                    feature("", square(2)),
                    feature(district_b.code, {"type": "Point", "coordinates": [0, 0]}),
                ],
            }
        ),
        encoding="utf-8",
    )
    out = StringIO()

    call_command("import_boundaries", str(path), stdout=out)

    district_a.refresh_from_db()
    assert district_a.boundary == square(0)
    text = out.getvalue()
    assert "999999000000" in text
    assert district_b.code in text  # a district left without a boundary


def test_dry_run_writes_nothing(city, district_a):
    report = services.import_boundaries(
        {"type": "FeatureCollection", "features": [feature(district_a.code, square(0))]},
        dry_run=True,
    )

    district_a.refresh_from_db()
    assert report.matched == [district_a.code]
    assert district_a.boundary is None


def test_not_a_feature_collection_is_refused(city):
    with pytest.raises(InvalidInput):
        services.import_boundaries({"type": "Feature"})


def test_unreadable_file_is_a_command_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_boundaries", str(path), stdout=StringIO())
