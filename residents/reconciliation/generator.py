"""Synthetic department feeds for tests, the demo and benchmarks.

A feed is written from a stream of residents (who they are and where they are registered):
read from the registry (small registries: the ID numbers are decrypted one by one), or made
again from the seed a synthetic population was loaded with (residents.bulk), which needs no
database read at all. Most rows agree with the registry; a declared share of them shows a
departure, a life at another address, a person the registry does not know, a row without an
ID number (matched by name, birth date and address), or a fault the loader must reject. The
same seed gives the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from stdnum.cn import ric

from portal.areas.models import Address, Area, Level
from residents import bulk
from residents.models import FeedFormat, FeedKindCode, Person, Registration
from residents.reconciliation import feeds

OTHER_CITY = "440300"  # where a departed resident's insurance starts again
UNKNOWN_REGION = "110105"  # region of the made-up persons the registry does not know
LONG_STAY_NIGHTS = 45


@dataclass(frozen=True)
class Resident:
    number: str
    name: str
    birth: dt.date
    address_id: int


@dataclass(frozen=True)
class Mix:
    """The share of rows of each sort (the rest agree with the registry)."""

    gone: float = 0.03  # left: insurance stopped or moved, hukou moved out, no utility use
    elsewhere: float = 0.02  # living at another address: hukou move, long hotel stay
    unknown: float = 0.01  # persons the registry does not know
    no_id: float = 0.02  # rows without an ID number
    bad: float = 0.005  # rows the loader rejects


def residents_from_registry() -> Iterator[Resident]:
    """Every person with a current registration, with their decrypted ID number."""
    registrations = (
        Registration.objects.filter(end_date__isnull=True)
        .select_related("person")
        .only("address_id", "person__name", "person__id_number", "person__birth_date")
        .order_by("person_id")
    )
    for registration in registrations.iterator(chunk_size=2000):
        person: Person = registration.person
        yield Resident(
            number=person.id_number,
            name=person.name,
            birth=person.birth_date,
            address_id=registration.address_id,
        )


def synthetic_address_ids() -> list[int]:
    """The addresses in the order benchmarks load a synthetic population into them."""
    return list(Address.objects.order_by("grid__code", "text", "pk").values_list("pk", flat=True))


def residents_from_seed(
    *, seed: int, count: int, address_ids: Sequence[int], today: dt.date
) -> Iterator[Resident]:
    """The residents residents.bulk.load_persons loads with the same arguments, made again."""
    rng = random.Random(seed)  # noqa: S311 - made-up test data, not a secret
    for row in bulk.generate(rng, count=count, address_ids=address_ids, today=today):
        yield Resident(number=row[2], name=row[1], birth=row[3], address_id=row[9])


def city_code() -> str:
    city = Area.objects.filter(level=Level.CITY).order_by("code").first()
    return city.code[:6] if city else "330300"


def _made_up_number(rng: random.Random) -> str:
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(365 * 35))
    body = f"{UNKNOWN_REGION}{birth:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def _wrong_check(number: str) -> str:
    digits = "0123456789X"
    return number[:17] + digits[(digits.index(number[17]) + 1) % len(digits)]


class _Writer:
    """Rows out as CSV with a header or as JSON lines, in the chosen encoding."""

    def __init__(self, out: IO[bytes], *, headers: Sequence[str], fmt: str, encoding: str):
        self.text = io.TextIOWrapper(out, encoding=encoding, newline="", write_through=False)
        self.headers = list(headers)
        self.fmt = fmt
        self.csv = csv.writer(self.text, lineterminator="\n")
        if fmt == FeedFormat.CSV:
            self.csv.writerow(self.headers)

    def row(self, values: Sequence[object]) -> None:
        if self.fmt == FeedFormat.CSV:
            self.csv.writerow(values)
        else:
            record = {h: v for h, v in zip(self.headers, values, strict=True) if v != ""}
            self.text.write(json.dumps(record, ensure_ascii=False) + "\n")

    def broken(self, values: Sequence[object]) -> None:
        """A row with a column missing (CSV) or a line that is not JSON."""
        if self.fmt == FeedFormat.CSV:
            self.csv.writerow(list(values)[:-1])
        else:
            self.text.write("{" + ",".join(str(v) for v in values) + "\n")

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def _headers(kind: str) -> list[str]:
    return [c.header for c in feeds.kind_of(kind).columns]


def write_feed(
    out: IO[bytes],
    *,
    kind: str,
    residents: Iterable[Resident],
    address_ids: Sequence[int],
    today: dt.date,
    fmt: str = FeedFormat.CSV,
    encoding: str = "utf-8",
    seed: int = 0,
    mix: Mix | None = None,
    rows: int | None = None,
) -> int:
    """Write a feed of `kind` to `out`; return the number of data rows written.

    Person-level kinds give one row per resident (up to `rows`); utilities one row per
    address a resident lives at.
    """
    mix = mix or Mix()
    rng = random.Random(seed)  # noqa: S311 - made-up test data, not a secret
    writer = _Writer(out, headers=_headers(kind), fmt=fmt, encoding=encoding)
    make = {
        FeedKindCode.SOCIAL_INSURANCE: _insurance_row,
        FeedKindCode.HUKOU: _hukou_row,
        FeedKindCode.HOTEL: _hotel_row,
        FeedKindCode.TELECOM: _telecom_row,
    }.get(kind)
    context = {
        "today": today,
        "period": f"{today:%Y-%m}",
        "city": city_code(),
        "address_ids": address_ids,
        "missing_address": (max(address_ids) if address_ids else 0) + 1_000_000,
    }
    written = 0
    try:
        if make is None:
            written = _utilities(writer, rng, residents, context, mix, rows)
        else:
            for resident in residents:
                if rows is not None and written >= rows:
                    break
                _person_row(writer, rng, resident, make, context, mix)
                written += 1
    finally:
        writer.close()
    return written


def _person_row(writer, rng, resident: Resident, make, context, mix: Mix) -> None:
    roll = rng.random()
    sort = "same"
    for name, share in (
        ("gone", mix.gone),
        ("elsewhere", mix.elsewhere),
        ("unknown", mix.unknown),
        ("no_id", mix.no_id),
        ("bad", mix.bad),
    ):
        if roll < share:
            sort = name
            break
        roll -= share
    number, name, birth = resident.number, resident.name, f"{resident.birth:%Y-%m-%d}"
    if sort == "unknown":
        number = _made_up_number(rng)
    elif sort == "no_id":
        number = ""
    values = make(rng, resident, number, name, birth, sort, context)
    if sort != "bad":
        writer.row(values)
        return
    fault = rng.randrange(4)
    if fault == 0:
        values[0] = _wrong_check(resident.number)
        writer.row(values)
    elif fault == 1:
        writer.broken(values)
    elif fault == 2:
        date_at = writer.headers.index(_date_header(writer.headers))
        values[date_at] = "2024-13-45"
        writer.row(values)
    else:
        values[0] = resident.number[:10]
        writer.row(values)


def _date_header(headers: Sequence[str]) -> str:
    for candidate in ("缴费年月", "迁移日期", "入住日期"):
        if candidate in headers:
            return candidate
    return headers[-1]


def _other_address(rng, resident: Resident, context) -> int:
    ids = context["address_ids"]
    other = ids[rng.randrange(len(ids))]
    return other if other != resident.address_id or len(ids) == 1 else ids[0]


def _insurance_row(rng, resident, number, name, birth, sort, context) -> list:
    # 公民身份号码, 姓名, 出生日期, 居住地址编码, 参保地, 缴费状态, 缴费年月
    place, status = context["city"], "正常缴费"
    if sort == "gone":
        if rng.random() < 0.5:
            status = "暂停缴费"
        else:
            place = OTHER_CITY
    address = resident.address_id if sort in ("no_id", "same", "bad") else ""
    if sort in ("elsewhere", "unknown"):
        address = _other_address(rng, resident, context)
    return [number, name, birth, address, place, status, context["period"]]


def _hukou_row(rng, resident, number, name, birth, sort, context) -> list:
    # 公民身份号码, 姓名, 出生日期, 迁移类型, 迁移日期, 地址编码
    day = context["today"] - dt.timedelta(days=rng.randrange(1, 60))
    if sort == "gone":
        return [number, name, birth, "迁出", f"{day:%Y-%m-%d}", ""]
    address = resident.address_id
    if sort in ("elsewhere", "unknown"):
        address = _other_address(rng, resident, context)
    return [number, name, birth, "迁入", f"{day:%Y-%m-%d}", address]


def _hotel_row(rng, resident, number, name, birth, sort, context) -> list:
    # 公民身份号码, 姓名, 出生日期, 旅馆地址编码, 入住日期, 退房日期
    today = context["today"]
    hotel = _other_address(rng, resident, context)
    if sort in ("elsewhere", "unknown"):
        check_in = today - dt.timedelta(days=LONG_STAY_NIGHTS + rng.randrange(30))
        return [number, name, birth, hotel, f"{check_in:%Y-%m-%d}", ""]
    if sort == "no_id":
        hotel = resident.address_id
    check_in = today - dt.timedelta(days=rng.randrange(3, 200))
    check_out = check_in + dt.timedelta(days=rng.randrange(1, 5))
    return [number, name, birth, hotel, f"{check_in:%Y-%m-%d}", f"{check_out:%Y-%m-%d}"]


def _telecom_row(rng, resident, number, name, birth, sort, context) -> list:
    # 公民身份号码, 姓名, 出生日期, 常驻区域代码, 统计年月
    place = OTHER_CITY if sort == "gone" else context["city"]
    return [number, name, birth, place, context["period"]]


def _utilities(writer, rng, residents, context, mix: Mix, rows: int | None) -> int:
    # 地址编码, 户主身份证号, 户主姓名, 抄表年月, 用量
    holders: dict[int, Resident] = {}
    for resident in residents:
        holders.setdefault(resident.address_id, resident)
    written = 0
    for address_id in context["address_ids"]:
        if rows is not None and written >= rows:
            break
        holder = holders.get(address_id)
        roll = rng.random()
        usage = 0 if roll < mix.gone else rng.randrange(15, 250)
        values = [
            address_id,
            holder.number if holder else "",
            holder.name if holder else "",
            context["period"],
            usage,
        ]
        if mix.gone <= roll < mix.gone + mix.bad:
            values[0] = context["missing_address"]
        writer.row(values)
        written += 1
    return written
