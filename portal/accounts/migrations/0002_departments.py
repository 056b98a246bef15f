from django.db import migrations

DEPARTMENTS = [
    ("public_security", "公安局", "Public Security Bureau"),
    ("housing", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("education", "教育局", "Education Bureau"),
    ("human_resources", "人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("service_centre", "新居民服务中心", "New-Resident Service Centre"),
]


def create_departments(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name, name_en in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_departments, migrations.RunPython.noop)]
