"""The reconciliation's part of the demo city: one finished run of a social-insurance feed.

The feed speaks of the demo residents in officer1's two grids: a neighbour whose insurance
has stopped (probably departed), one insured from another address of the grid (lives at
another address than registered), one sent without an ID number (matched by name, birth
date and address), someone the registry does not know insured at an address of the grid
(unregistered resident), and two rows the loader rejects. The discrepancies land on
officer1's task list. The feed is the same all month, so a rerun of seed_demo in the same
month finds the feed received and its run finished, and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from portal.areas.services import create_address
from portal.demo import SeedContext
from residents import idnumber
from residents.demo import NEIGHBOURS, RESIDENT1
from residents.models import FeedChannel, FeedKindCode, Registration
from residents.reconciliation import feeds, generator, services

NEWCOMER_NAME = "冯晓东"
NEWCOMER_BODY = "42112619940616003"  # 湖北省蕲春县, born 1994-06-16; not in the registry


def _newcomer_number() -> str:
    return NEWCOMER_BODY + ric.calc_check_digit(NEWCOMER_BODY + "0")


def feed_bytes(
    *, addresses: list[int], registered_at: dict[str, int], city: str, today: dt.date
) -> bytes:
    """The demo insurance feed as the human-resources system exports it (UTF-8 CSV)."""
    period = f"{today:%Y-%m}"
    departed, _second, moved, _fourth, unnamed, _sixth = (n[0] for n in NEIGHBOURS)
    elsewhere = next(a for a in addresses if a != registered_at.get(moved.number))
    empty = next(a for a in reversed(addresses) if a not in registered_at.values())
    home = registered_at.get(RESIDENT1.number, "")
    unnamed_home = registered_at.get(unnamed.number, "")
    wrong_check = RESIDENT1.number[:17] + ("0" if RESIDENT1.number[17] != "0" else "1")
    rows = [
        [RESIDENT1.number, RESIDENT1.name, "", home, city, "正常缴费", period],
        [departed.number, departed.name, "", "", city, "暂停缴费", period],
        [moved.number, moved.name, "", elsewhere, city, "正常缴费", period],
        ["", unnamed.name, f"{unnamed.birth:%Y-%m-%d}", unnamed_home, "440300", "正常缴费", period],
        [_newcomer_number(), NEWCOMER_NAME, "", empty, city, "正常缴费", period],
        [wrong_check, RESIDENT1.name, "", "", city, "正常缴费", period],
        [departed.number, departed.name, "", "", city, "正常缴费", "2026-13"],
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header for c in feeds.SOCIAL_INSURANCE.columns])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def seed(ctx: SeedContext) -> None:
    officer = ctx.made["users"]["officer1"]
    by_grid = ctx.made["addresses_by_grid"]
    grids = list(officer.grids.order_by("code")[:2])
    addresses = [a.pk for grid in grids for a in by_grid[grid.code]]
    numbers = [p.number for p in (RESIDENT1, *(n[0] for n in NEIGHBOURS))]
    if set(addresses) <= set(_current_addresses(numbers).values()):
        # Every address is occupied (a small demo city): the newcomer needs an empty flat.
        addresses.append(
            create_address(grid=grids[0], road="东瓯路", number="88", building="2", room="301").pk
        )
    today = timezone.localdate()
    content = feed_bytes(
        addresses=addresses,
        registered_at=_current_addresses(numbers),
        city=generator.city_code(),
        today=today,
    )
    feed, _created = services.receive_feed(
        kind=FeedKindCode.SOCIAL_INSURANCE,
        source=io.BytesIO(content),
        original_name=f"社保缴费-{today:%Y-%m}.csv",
        channel=FeedChannel.COMMAND,
    )
    run = services.start_run(feed_id=feed.pk, enqueue=False)
    run = services.execute_run(run_id=run.pk)
    ctx.write(
        _("Reconciliation: %(rows)d rows, %(rejected)d rejected, %(found)d discrepancies.")
        % {"rows": run.rows_read, "rejected": run.rows_rejected, "found": run.discrepancy_total}
    )


def _current_addresses(numbers: list[str]) -> dict[str, int]:
    """Where each demo person with a known ID number is registered now."""
    by_hash = {idnumber.keyed_hash(number): number for number in numbers}
    return {
        by_hash[id_hash]: address_id
        for id_hash, address_id in Registration.objects.filter(
            end_date__isnull=True, person__id_hash__in=by_hash
        ).values_list("person__id_hash", "address_id")
    }
