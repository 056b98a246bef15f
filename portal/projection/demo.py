"""The projection's part of the demo city: the registry's figures read into a base, so the
baseline projection, the demands and the reports show at once."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.demo import SeedContext
from portal.projection import services


def seed(ctx: SeedContext) -> None:
    base = services.build_base()
    persons = sum(sum(sum(ages) for ages in sexes) for sexes in base.population)
    ctx.write(
        _("Projection base on %(on)s: %(persons)d persons in %(districts)d districts.")
        % {"on": base.on, "persons": persons, "districts": len(base.district_ids)}
    )
