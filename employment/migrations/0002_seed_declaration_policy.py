"""The declaration deadline in force: employers declare a worker's start and end within 7 days
(the rule landlords and employers who give dormitories follow; local rules vary)."""

from django.db import migrations


def seed(apps, schema_editor):
    DeclarationPolicy = apps.get_model("employment", "DeclarationPolicy")
    DeclarationPolicy.objects.get_or_create(
        effective_from="2016-01-01",
        defaults={
            "declare_within_days": 7,
            "source": "流动人口居住登记：用人单位自人员到岗、离岗之日起7日内申报",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("employment", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
