"""The baseline scenario, from the city's population plan (its table 1; docs/domain.md
"Figures from the source documents").

Total fertility rate 0.71 (2015), 1.2 (2020), 1.8 (2030); life expectancy 78.75 / 79.75 / 81;
sex ratio at birth 107. The rest are working assumptions analysts can change on the page.
"""

from django.db import migrations
from django.utils import timezone

BASELINE = {
    "tfr": [[2015, 0.71], [2020, 1.2], [2030, 1.8]],
    "life_expectancy": [[2015, 78.75], [2020, 79.75], [2030, 81.0]],
    "life_expectancy_gap": 5.0,
    "sex_ratio_at_birth": 107.0,
    "migration_years": 2,
    "migration_factor": 1.0,
    "brass_beta": 1.0,
    "horizon": 15,
    "persons_per_job": 1.5,
    "housing_application_rate": 0.2,
}


def create_baseline(apps, schema_editor):
    Scenario = apps.get_model("projection", "Scenario")
    now = timezone.now()
    Scenario.objects.get_or_create(
        is_baseline=True,
        defaults={
            "name": "基准方案",
            "description": "人口发展规划目标：总和生育率2020年1.2、2030年1.8，人均预期寿命2030年81岁，出生人口性别比107。",
            "kind": "assumptions",
            "assumptions": BASELINE,
            "decisions": [],
            "created_at": now,
            "updated_at": now,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("projection", "0001_projection_bases_scenarios_warnings")]

    operations = [migrations.RunPython(create_baseline, migrations.RunPython.noop)]
