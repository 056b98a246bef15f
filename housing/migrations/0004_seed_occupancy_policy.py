from datetime import date
from decimal import Decimal

from django.db import migrations


def seed_policy(apps, schema_editor):
    OccupancyPolicy = apps.get_model("housing", "OccupancyPolicy")
    OccupancyPolicy.objects.get_or_create(
        effective_from=date(2016, 1, 1),
        defaults={
            "min_area_per_person": Decimal("5.00"),
            "max_per_room": 2,
            "source": "出租房屋人均居住面积不得低于5平方米，每个房间居住人数不超过2人（上海等地规定）",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("housing", "0003_occupancy_policy")]

    operations = [migrations.RunPython(seed_policy, migrations.RunPython.noop)]
