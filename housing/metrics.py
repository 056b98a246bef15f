"""Housing's figures for the city's view, registered with the dashboard."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.dashboard.metrics import Window, months_sql, register_metric
from portal.notices.criteria import Sql


def tenants(window: Window) -> Sql:
    """Tenants living in registered rental homes on each month's last day (以房管人)."""
    months, params = months_sql(window)
    text = f"""
        WITH mo AS ({months})
        SELECT a.grid_id, mo.month, '', '', COUNT(*)
        FROM housing_tenancy t
        JOIN mo ON t.start_date <= mo.as_of AND (t.end_date IS NULL OR t.end_date > mo.as_of)
        JOIN housing_rentalhome h ON h.id = t.home_id
        JOIN areas_address a ON a.id = h.address_id
        GROUP BY 1, 2
    """  # noqa: S608
    return Sql(text, params)


def register() -> None:
    register_metric(
        "housing.tenants",
        _("Tenants in registered rental homes"),
        tenants,
        description=_(
            "Tenants declared by landlords and not yet moved out, on the month's last day."
        ),
        order=70,
    )
