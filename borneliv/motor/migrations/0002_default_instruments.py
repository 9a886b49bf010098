"""Ship the default instruments: the 4-year-old play observation (a starting point the
municipality adjusts) and the school-start exam's nine motor items, both published as version 1.

The documents are the same JSON format that administrators import and export
(``motor/instruments/*.json``, see ``motor/instruments.py``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import migrations
from django.utils import timezone

DOCUMENTS = ("motor-4-v1.json", "school-start-v1.json")
FOLDER = Path(__file__).resolve().parent.parent / "instruments"


def load(apps: Any, schema_editor: Any) -> None:
    Instrument = apps.get_model("motor", "Instrument")
    InstrumentVersion = apps.get_model("motor", "InstrumentVersion")
    Choice = apps.get_model("motor", "Choice")
    Item = apps.get_model("motor", "Item")
    for name in DOCUMENTS:
        doc = json.loads((FOLDER / name).read_text(encoding="utf-8"))
        meta = doc["instrument"]
        instrument, _created = Instrument.objects.get_or_create(
            code=meta["code"],
            defaults={k: meta.get(k, "") for k in ("name_da", "name_en", "description_da", "description_en")},
        )
        v = doc["version"]
        if InstrumentVersion.objects.filter(instrument=instrument, number=v["number"]).exists():
            continue
        rule = v["rule"]
        version = InstrumentVersion.objects.create(
            instrument=instrument,
            number=v["number"],
            status="published",
            note_da=v.get("note_da", ""),
            note_en=v.get("note_en", ""),
            is_starting_point=v.get("is_starting_point", False),
            age_min_months=v["age_min_months"],
            age_max_months=v["age_max_months"],
            few_signs_from=Decimal(rule["few_signs_from"]),
            challenges_from=Decimal(rule["challenges_from"]),
            min_assessed=rule["min_assessed"],
            published_at=timezone.now(),
        )
        positions: dict[str, int] = {}
        for choice in doc["choices"]:
            position = positions.get(choice["list_name"], 0)
            positions[choice["list_name"]] = position + 1
            Choice.objects.create(
                version=version,
                list_name=choice["list_name"],
                value=choice["value"],
                label_da=choice["label_da"],
                label_en=choice["label_en"],
                position=position,
                remark_weight=Decimal(choice["remark_weight"]),
            )
        for position, item in enumerate(doc["items"]):
            Item.objects.create(
                version=version,
                code=item["code"],
                position=position,
                domain=item["domain"],
                list_name=item["list_name"],
                label_da=item["label_da"],
                label_en=item["label_en"],
                guidance_da=item.get("guidance_da", ""),
                guidance_en=item.get("guidance_en", ""),
            )


class Migration(migrations.Migration):
    dependencies = [("motor", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
