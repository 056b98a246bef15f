"""The verification map (docs/domain.md "Verification map"): each claimed fact is verified by
the department that holds the record. Adds the departments that verify points claims beyond
the first five and points the fact types at them."""

from django.db import migrations

DEPARTMENTS = [
    ("civil_affairs", "民政局", "Civil Affairs Bureau"),
    ("science", "科学技术局", "Science and Technology Bureau"),
    ("health", "卫生健康局", "Health Commission"),
    ("tax", "税务局", "Tax Bureau"),
    ("housing_fund", "住房公积金管理中心", "Housing Provident Fund Centre"),
    ("youth_league", "共青团市委", "Communist Youth League Committee"),
]

# fact type -> the department that verifies it
VERIFIED_BY = {
    "unmarried": "civil_affairs",
    "spouse_local_marriage_years": "civil_affairs",
    "patents_invention": "science",
    "patents_utility": "science",
    "blood_donation_cc": "health",
    "income_tax_5y": "tax",
    "business_tax_avg": "tax",
    "housing_fund_months": "housing_fund",
    "community_education_certs": "youth_league",
}


def apply_map(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    FactType = apps.get_model("points", "FactType")
    for code, name, name_en in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
    for fact, department in VERIFIED_BY.items():
        FactType.objects.filter(code=fact).update(department=department)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_departments"),
        ("points", "0004_score_lapse"),
    ]

    operations = [migrations.RunPython(apply_map, migrations.RunPython.noop)]
