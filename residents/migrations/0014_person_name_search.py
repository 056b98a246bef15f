"""Indexes for the staff name search (residents.selectors.name_contains).

A part of a name is found at the name's start (a prefix index), at its end (a prefix index on
the reversed name) or inside one of the few names long enough to hold it strictly inside (an
index on the name's length). Plain B-tree indexes: no extension is needed, so the embedded
development server has them too. Built concurrently: the persons table is as large as the
registry. The table is analysed at the end: until then the planner has no statistics
for the length expression and would walk the persons instead.
"""

from django.contrib.postgres.indexes import OpClass
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.models.functions import Length, Reverse


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("residents", "0013_registration_current_address_of_person"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="person",
            index=models.Index(
                OpClass("name", name="varchar_pattern_ops"), name="person_name_prefix"
            ),
        ),
        AddIndexConcurrently(
            model_name="person",
            index=models.Index(
                OpClass(Reverse("name"), name="text_pattern_ops"), name="person_name_suffix"
            ),
        ),
        AddIndexConcurrently(
            model_name="person",
            index=models.Index(Length("name"), name="person_name_length"),
        ),
        # The planner knows how few long names there are only from the expression's statistics.
        migrations.RunSQL("ANALYZE residents_person", reverse_sql=migrations.RunSQL.noop),
    ]
