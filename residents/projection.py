"""What the registry tells the projection: persons and flows by district, sex and age.

Both are one set-based query each over the registrations (never a loop over persons). A
registration covers its start date up to, but not including, its end date.

Flows, by 12-month span back from the base date: an arrival is a registration starting in the span whose person's previous registration
was in another district, ended before it started (left the city and came back), or does not
exist; a departure is a registration ending in the span whose person's next registration is
in another district, starts later, or does not exist. Moves inside a district are neither;
a move between districts is a departure from one and an arrival in the other. Ages are whole
years at the event, the open group 100 and over.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from portal.periods import add_months
from portal.projection import registry

_POPULATION = """
SELECT g.district_id, p.sex, LEAST(date_part('year', age(%(on)s, p.birth_date))::int, 100), count(*)
FROM residents_registration r
JOIN residents_person p ON p.id = r.person_id
JOIN areas_address a ON a.id = r.address_id
JOIN areas_area g ON g.id = a.grid_id
WHERE r.start_date <= %(on)s AND (r.end_date IS NULL OR r.end_date > %(on)s)
  AND p.birth_date <= %(on)s AND g.district_id IS NOT NULL
GROUP BY 1, 2, 3
"""

_FLOWS = """
WITH ordered AS (
    SELECT r.person_id, r.start_date, r.end_date, g.district_id,
           lag(g.district_id) OVER w AS previous_district,
           lag(r.end_date) OVER w AS previous_end,
           lead(g.district_id) OVER w AS next_district,
           lead(r.start_date) OVER w AS next_start
    FROM residents_registration r
    JOIN areas_address a ON a.id = r.address_id
    JOIN areas_area g ON g.id = a.grid_id
    WINDOW w AS (PARTITION BY r.person_id ORDER BY r.start_date, r.id)
), events AS (
    SELECT person_id, district_id, start_date AS on_day, 1 AS arrival, 0 AS departure
    FROM ordered
    WHERE start_date > %(start)s AND start_date <= %(on)s
      AND (previous_district IS NULL OR previous_district <> district_id
           OR previous_end < start_date)
    UNION ALL
    SELECT person_id, district_id, end_date, 0, 1
    FROM ordered
    WHERE end_date > %(start)s AND end_date <= %(on)s
      AND (next_district IS NULL OR next_district <> district_id OR next_start > end_date)
)
SELECT date_part('year', age(%(on)s, e.on_day))::int,
       e.district_id, p.sex,
       LEAST(GREATEST(date_part('year', age(e.on_day, p.birth_date))::int, 0), 100),
       sum(e.arrival)::int, sum(e.departure)::int
FROM events e JOIN residents_person p ON p.id = e.person_id
WHERE e.district_id IS NOT NULL
GROUP BY 1, 2, 3, 4
"""


def population_on(on: dt.date) -> list[registry.PopulationRow]:
    """Registered persons by district, sex and age on `on`."""
    with connection.cursor() as cursor:
        cursor.execute(_POPULATION, {"on": on})
        return [(int(d), str(s), int(a), int(n)) for d, s, a, n in cursor.fetchall()]


def flows_before(on: dt.date, spans: int) -> list[registry.FlowRow]:
    """Arrivals and departures by 12-month span before `on` (0 = the latest), district, sex
    and age: one pass over the registrations for every span."""
    with connection.cursor() as cursor:
        cursor.execute(_FLOWS, {"start": add_months(on, -12 * spans), "on": on})
        return [
            (int(n), int(d), str(s), int(a), int(i), int(o))
            for n, d, s, a, i, o in cursor.fetchall()
        ]


def register() -> None:
    registry.register_sources(population=population_on, flows=flows_before)
