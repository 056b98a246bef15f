"""The registry's figures for the city's view (一库一图), registered with the dashboard.

Each metric is one set-based SELECT of `(area_id, month, dimension, key, value)` rows over the
window's months (see portal.dashboard.metrics); the area is the grid of the address.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from portal.dashboard.metrics import Kind, Window, months_sql, register_dimension, register_metric
from portal.notices.criteria import Sql
from residents.models import DiscrepancyKind, Reason, Sex

AGE_BAND_YEARS = 5
OLDEST_BAND = 85

# A registration's tenure as its source declares it: a landlord declares a tenant, an employer
# a worker in its dormitory; a resident or a grid officer declares any other home.
TENURE_BY_SOURCE_SQL = (
    "CASE r.source WHEN 'landlord' THEN 'rented' WHEN 'employer' THEN 'dormitory' "
    "ELSE 'own_other' END"
)


def registered(window: Window) -> Sql:
    """Persons registered on each month's last day (today, in the current month), by age band
    and sex, origin province, reason and tenure.

    One pass over the registrations that overlap the window folds them into cohorts that are
    counted in the same months (first and last month counted) and share the dimension values;
    only the cohorts are then spread over the months. Age is in completed years at the month's
    end, from the birth year and month; the origin province is the hukou place, or else the
    region code the ID number begins with.
    """
    months, months_params = months_sql(window)
    text = f"""
        WITH mo AS ({months}),
        base AS (
            SELECT a.grid_id AS area_id,
                   GREATEST(date_trunc('month', r.start_date)::date, %s::date) AS first_m,
                   CASE WHEN r.end_date IS NULL OR r.end_date > %s::date THEN %s::date
                        ELSE (date_trunc('month', r.end_date) - interval '1 month')::date
                   END AS last_m,
                   p.sex,
                   date_part('year', p.birth_date)::int AS birth_year,
                   date_part('month', p.birth_date)::int AS birth_month,
                   LEFT(COALESCE(NULLIF(p.origin_code, ''), p.id_masked), 2) AS province,
                   r.reason, {TENURE_BY_SOURCE_SQL} AS tenure
            FROM residents_registration r
            JOIN residents_person p ON p.id = r.person_id
            JOIN areas_address a ON a.id = r.address_id
            WHERE r.start_date <= %s AND (r.end_date IS NULL OR r.end_date >= %s)
        ),
        cohorts AS MATERIALIZED (
            SELECT area_id, first_m, last_m,
                   CASE WHEN GROUPING(sex, birth_year, birth_month) = 0 THEN 'age_sex'
                        WHEN GROUPING(province) = 0 THEN 'origin'
                        WHEN GROUPING(reason) = 0 THEN 'reason'
                        WHEN GROUPING(tenure) = 0 THEN 'tenure'
                        ELSE '' END AS dimension,
                   COALESCE(province, reason, tenure, sex, '') AS key,
                   birth_year, birth_month, COUNT(*) AS n
            FROM base
            GROUP BY GROUPING SETS (
                (area_id, first_m, last_m),
                (area_id, first_m, last_m, sex, birth_year, birth_month),
                (area_id, first_m, last_m, province),
                (area_id, first_m, last_m, reason),
                (area_id, first_m, last_m, tenure))
        )
        SELECT c.area_id, mo.month, c.dimension,
               CASE WHEN c.dimension = 'age_sex' THEN c.key || LEAST({OLDEST_BAND}, GREATEST(0,
                   date_part('year', mo.month)::int - c.birth_year
                   - (c.birth_month > date_part('month', mo.month)::int)::int)
                   / {AGE_BAND_YEARS} * {AGE_BAND_YEARS})::text
               ELSE c.key END,
               SUM(c.n)
        FROM cohorts c JOIN mo ON mo.month BETWEEN c.first_m AND c.last_m
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608
    first_end = (window.first + dt.timedelta(days=32)).replace(day=1)
    return Sql(
        text,
        [
            *months_params,
            window.first,
            window.today,
            window.last,
            window.today,
            first_end,
        ],
    )


def _started_or_ended(column: str):
    def build(window: Window) -> Sql:
        text = f"""
            SELECT a.grid_id, date_trunc('month', r.{column})::date, '', '', COUNT(*)
            FROM residents_registration r JOIN areas_address a ON a.id = r.address_id
            WHERE r.{column} >= %s AND r.{column} <= %s
            GROUP BY 1, 2
        """  # noqa: S608
        return Sql(text, [window.first, window.today])

    return build


def permits_valid(window: Window) -> Sql:
    """Residence permits valid on each month's last day, by the grid of the address at issue."""
    months, params = months_sql(window)
    text = f"""
        WITH mo AS ({months})
        SELECT a.grid_id, mo.month, '', '', COUNT(*)
        FROM residents_permit pm
        JOIN mo ON pm.issued_on <= mo.as_of AND pm.valid_until >= mo.as_of
             AND (pm.cancelled_on IS NULL OR pm.cancelled_on > mo.as_of)
        JOIN areas_address a ON a.id = pm.address_id
        GROUP BY 1, 2
    """  # noqa: S608
    return Sql(text, params)


def permits_expiring(window: Window) -> Sql:
    """Valid permits whose endorsement falls due within 30 days of each month's last day."""
    months, params = months_sql(window)
    text = f"""
        WITH mo AS ({months})
        SELECT a.grid_id, mo.month, '', '', COUNT(*)
        FROM residents_permit pm
        JOIN mo ON pm.issued_on <= mo.as_of AND pm.valid_until >= mo.as_of
             AND pm.valid_until < mo.as_of + 30
             AND (pm.cancelled_on IS NULL OR pm.cancelled_on > mo.as_of)
        JOIN areas_address a ON a.id = pm.address_id
        GROUP BY 1, 2
    """  # noqa: S608
    return Sql(text, params)


def unregistered_found(window: Window) -> Sql:
    """Residents the feeds show at an address where nobody is registered, still to be verified
    on each month's last day (one open verification task each): the registry's known gap."""
    months, params = months_sql(window)
    text = f"""
        WITH mo AS ({months})
        SELECT a.grid_id, mo.month, '', '', COUNT(DISTINCT t.id)
        FROM residents_discrepancy d
        JOIN residents_fieldtask t ON t.id = d.task_id
        JOIN mo ON t.created_at::date <= mo.as_of
             AND (t.closed_at IS NULL OR t.closed_at::date > mo.as_of)
        JOIN areas_address a ON a.id = d.address_id
        WHERE d.kind = %s
        GROUP BY 1, 2
    """  # noqa: S608
    return Sql(text, [*params, DiscrepancyKind.UNREGISTERED_RESIDENT])


def age_sex_labels() -> dict[str, str]:
    labels = {}
    for sex in Sex:
        for band in range(0, OLDEST_BAND + 1, AGE_BAND_YEARS):
            ages = f"{band}+" if band == OLDEST_BAND else f"{band}-{band + AGE_BAND_YEARS - 1}"
            labels[f"{sex.value}{band}"] = f"{sex.label} {ages}"
    return labels


def register() -> None:
    register_dimension("age_sex", _("Age and sex"), age_sex_labels, order=10)
    register_dimension("reason", _("Reason for residence"), lambda: dict(Reason.choices), order=30)
    register_dimension(
        "tenure",
        _("Tenure"),
        lambda: {
            "own_other": str(_("Own home or other")),
            "rented": str(_("Rented")),
            "dormitory": str(_("Employer's dormitory")),
        },
        order=40,
    )
    register_metric(
        "residents.registered",
        _("Registered new residents"),
        registered,
        dimensions=("age_sex", "origin", "reason", "tenure"),
        description=_("Persons with a current residence registration on the month's last day."),
        public=True,
        order=10,
    )
    register_metric(
        "residents.arrivals",
        _("Registrations started"),
        _started_or_ended("start_date"),
        kind=Kind.FLOW,
        description=_("Residence registrations that began in the month (arrivals and moves in)."),
        order=20,
    )
    register_metric(
        "residents.departures",
        _("Registrations ended"),
        _started_or_ended("end_date"),
        kind=Kind.FLOW,
        description=_(
            "Residence registrations that ended in the month (departures and moves out)."
        ),
        order=30,
    )
    register_metric(
        "residents.permits_valid",
        _("Valid residence permits"),
        permits_valid,
        unit=_("permits"),
        order=40,
    )
    register_metric(
        "residents.permits_expiring",
        _("Permits expiring within 30 days"),
        permits_expiring,
        unit=_("permits"),
        order=50,
    )
    register_metric(
        "residents.unregistered_found",
        _("Unregistered residents found by the feeds"),
        unregistered_found,
        description=_(
            "Open verification tasks for residents the feeds show but nobody registered."
        ),
        order=60,
    )
