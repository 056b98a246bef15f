"""Copy the announced holidays and make-up working days from the chinesecalendar package into
the table, once: from then on the table is the calendar, and staff add each new year in admin."""

from django.db import migrations

SOURCE = "国务院办公厅节假日安排 (chinesecalendar)"


def copy_years(apps, schema_editor):
    import chinese_calendar

    SpecialDay = apps.get_model("calendar", "SpecialDay")
    by_english = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    rows = []
    for kind, days in (
        ("holiday", chinese_calendar.holidays),
        ("workday", chinese_calendar.workdays),
    ):
        for day, name in days.items():
            rows.append(
                SpecialDay(day=day, kind=kind, name=by_english.get(name, name), source=SOURCE)
            )
    SpecialDay.objects.bulk_create(rows, ignore_conflicts=True)


def remove(apps, schema_editor):
    apps.get_model("calendar", "SpecialDay").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("calendar", "0001_special_days")]

    operations = [migrations.RunPython(copy_years, remove)]
