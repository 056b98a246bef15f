"""The rating policy the city starts with: a poor rating is answered within 15 days."""

import datetime as dt

from django.db import migrations


def create_policy(apps, schema_editor):
    RatingPolicy = apps.get_model("catalogue", "RatingPolicy")
    RatingPolicy.objects.get_or_create(
        effective_from=dt.date(2020, 1, 1),
        defaults={
            "rectification_days": 15,
            "source": "国办发〔2019〕51号 关于建立政务服务“好差评”制度提高政务服务水平的意见",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_service_list_and_ratings")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
