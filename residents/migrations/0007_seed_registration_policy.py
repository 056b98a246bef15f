from datetime import date

from django.db import migrations


def seed_policy(apps, schema_editor):
    RegistrationPolicy = apps.get_model("residents", "RegistrationPolicy")
    RegistrationPolicy.objects.get_or_create(
        effective_from=date(2016, 1, 1),
        defaults={
            "self_days": 30,
            "landlord_days": 7,
            "sublessor_days": 3,
            "employer_days": 7,
            "grid_officer_days": 30,
            "calendar_days": False,
            "source": "出租房屋登记：出租人7日内申报，转租人3日内告知（深圳）；本人30日",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("residents", "0006_registration_policy_and_late_declarations")]

    operations = [migrations.RunPython(seed_policy, migrations.RunPython.noop)]
