"""Two early-warning rules to start from; administrators change or add rules in the admin."""

import datetime as dt

from django.db import migrations

RULES = [
    {
        "name": "网格迁出环比上升超过30%",
        "metric": "residents.departures",
        "level": "grid",
        "comparison": "rise_over",
        "threshold": 30,
        "window_months": 1,
        "minimum_base": 5,
    },
    {
        "name": "区内居住证30天内到期超过200张",
        "metric": "residents.permits_expiring",
        "level": "district",
        "comparison": "above",
        "threshold": 200,
        "window_months": 1,
        "minimum_base": 0,
    },
]


def create_rules(apps, schema_editor):
    WarningRule = apps.get_model("projection", "WarningRule")
    for rule in RULES:
        WarningRule.objects.get_or_create(
            name=rule["name"], defaults=dict(rule, effective_from=dt.date(2026, 1, 1))
        )


class Migration(migrations.Migration):
    dependencies = [("projection", "0002_baseline_scenario")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
