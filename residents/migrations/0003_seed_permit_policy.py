from datetime import date

from django.db import migrations


def seed_policy(apps, schema_editor):
    PermitPolicy = apps.get_model("residents", "PermitPolicy")
    PermitPolicy.objects.get_or_create(
        effective_from=date(2016, 1, 1),
        defaults={
            "min_residence_months": 6,
            "validity_months": 12,
            "endorsement_window_months": 1,
            "continuity_gap_days": 0,
            "source": "居住证暂行条例（国务院令第663号）",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("residents", "0002_permits_and_record_access")]

    operations = [migrations.RunPython(seed_policy, migrations.RunPython.noop)]
