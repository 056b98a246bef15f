"""An index for the person-by-person scope test of staff person lists (residents.selectors).

Staff lists read persons along the primary key and test each one's current address against
the addresses of the user's grids or districts; this partial index answers "the current
address of person N" from the index alone. Built concurrently: the registrations table is as
large as the registry, and a plain CREATE INDEX would block registrations while it builds.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("residents", "0012_merge_permit_delivery_and_registry_truth"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=(
                        "CREATE INDEX CONCURRENTLY IF NOT EXISTS "
                        "reg_current_address_of_person "
                        "ON residents_registration (person_id) INCLUDE (address_id) "
                        "WHERE end_date IS NULL"
                    ),
                    reverse_sql=(
                        "DROP INDEX CONCURRENTLY IF EXISTS reg_current_address_of_person"
                    ),
                ),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="registration",
                    index=models.Index(
                        fields=["person"],
                        include=["address"],
                        condition=models.Q(end_date__isnull=True),
                        name="reg_current_address_of_person",
                    ),
                ),
            ],
        ),
    ]
