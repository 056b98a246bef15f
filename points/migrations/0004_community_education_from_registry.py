"""Community-education certificates are issued by the portal's own courses (employment app):
the fact is known from the registry, never claimed.

0002 writes the row this way on a new database; this moves a database made before.
"""

from django.db import migrations

CODE = "community_education_certs"


def to_registry(apps, schema_editor):
    FactType = apps.get_model("points", "FactType")
    FactType.objects.filter(code=CODE).update(
        source="registry", department="", evidence_hint="", evidence_hint_en=""
    )


def to_claim(apps, schema_editor):
    FactType = apps.get_model("points", "FactType")
    FactType.objects.filter(code=CODE).update(
        source="claim",
        department="service_centre",
        evidence_hint="结业证书",
        evidence_hint_en="Certificates",
    )


class Migration(migrations.Migration):
    dependencies = [("points", "0003_seed_rule_sets")]

    operations = [migrations.RunPython(to_registry, to_claim)]
