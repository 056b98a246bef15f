"""A synthetic population for demos and benchmarks, loaded with COPY rather than the ORM.

Rows are made in Python in chunks, streamed into a temporary staging table with PostgreSQL
COPY (psycopg 3), then moved into the registry with one set-based statement per chunk:
persons by INSERT ... SELECT ... ON CONFLICT (id_hash) DO NOTHING, and, in the same statement,
the registrations of exactly the persons that were inserted. A rerun with the same seed makes
the same ID numbers, so it adds nothing; each chunk commits on its own, so an interrupted load
can simply be run again.

Every person is consistent with their ID number (region of origin, birth date, sex, valid
check character), has one current registration at a given address and, about a third of them,
an earlier ended one. The ID number is stored encrypted with the model field's own Fernet key,
so the ORM reads it back; the keyed hash and the masked form are computed as residents.idnumber
does for every other person.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterator, Sequence

from django.db import connection, transaction
from django.utils.translation import gettext as _
from stdnum.cn import ric

from portal import forked
from residents import idnumber
from residents.models import Education, Person, Reason, Source

CHUNK_SIZE = 100_000

# Counties many new residents come from, with the region code their ID numbers carry by birth
# year (codes change when counties are regrouped; people keep the number they were given).
ORIGIN_COUNTIES: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = (
    ("安徽省临泉县", ((0, "342122"), (1996, "341221"))),
    ("安徽省太和县", ((0, "342123"), (1996, "341222"))),
    ("安徽省颍上县", ((0, "342128"), (1996, "341226"))),
    ("河南省固始县", ((0, "413026"), (1998, "411525"))),
    ("河南省商城县", ((0, "413027"), (1998, "411524"))),
    ("河南省郸城县", ((0, "412726"), (2000, "411625"))),
    ("河南省沈丘县", ((0, "412728"), (2000, "411624"))),
    ("江西省于都县", ((0, "362132"), (1998, "360731"))),
    ("江西省兴国县", ((0, "362133"), (1998, "360732"))),
    ("江西省余干县", ((0, "362329"), (2000, "361127"))),
    ("湖南省隆回县", ((0, "432622"), (1986, "430524"))),
    ("四川省三台县", ((0, "512833"), (1985, "510722"))),
    ("四川省安岳县", ((0, "512427"), (1985, "511023"), (1998, "513921"), (2000, "512021"))),
    ("四川省会理县", ((0, "513425"),)),
    ("重庆市云阳县", ((0, "512225"), (1992, "511224"), (1997, "500235"))),
    ("重庆市垫江县", ((0, "512322"), (1995, "511421"), (1997, "500231"))),
    ("贵州省威宁县", ((0, "522427"), (2011, "520526"))),
    ("云南省镇雄县", ((0, "532128"), (2001, "530627"))),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN_MALE = "伟强磊军洋勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国文志"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀燕玲桂丹萍红玉兰琳雪梅莉婷倩颖洁佳慧彤欣怡雯悦璐晶"
EMPLOYER_PREFIXES = (
    "东瓯",
    "滨海",
    "江南",
    "新城",
    "海门",
    "恒达",
    "宏远",
    "金泰",
    "永兴",
    "华东",
    "鑫源",
    "立信",
)
EMPLOYER_TRADES = (
    "机电",
    "模具",
    "塑业",
    "鞋业",
    "服饰",
    "汽车配件",
    "水泵",
    "阀门",
    "电子",
    "建设工程",
    "物流",
    "餐饮管理",
    "眼镜",
    "家居用品",
)
EMPLOYER_FORMS = ("有限公司", "股份有限公司")

# (first birth year, last birth year, weight): working ages dominate a migrant population.
BIRTH_COHORTS = (
    (1950, 1964, 5),
    (1965, 1979, 24),
    (1980, 1994, 40),
    (1995, 2004, 18),
    (2005, 2020, 13),
)
ADULT_EDUCATION = (
    (Education.NONE, 8),
    (Education.JUNIOR_MIDDLE, 35),
    (Education.SENIOR_MIDDLE, 25),
    (Education.JUNIOR_COLLEGE, 15),
    (Education.BACHELOR, 13),
    (Education.MASTER, 3),
    (Education.DOCTOR, 1),
)
ADULT_REASONS = ((Reason.WORK, 75), (Reason.FAMILY, 12), (Reason.STUDY, 5), (Reason.OTHER, 8))
SOURCES = (
    (Source.SELF, 45),
    (Source.LANDLORD, 30),
    (Source.GRID_OFFICER, 15),
    (Source.EMPLOYER, 10),
)

STAGE = "seed_person_stage"
STAGE_COLUMNS = (
    "seq",
    "name",
    "id_number",
    "id_hash",
    "id_masked",
    "birth_date",
    "sex",
    "phone",
    "origin_code",
    "education",
    "employer",
    "address_id",
    "start_date",
    "reason",
    "source",
    "prev_address_id",
    "prev_start",
    "prev_end",
)
CREATE_STAGE = f"""
    CREATE TEMPORARY TABLE {STAGE} (
        seq bigint NOT NULL,
        name text NOT NULL,
        id_number text NOT NULL,
        id_hash text NOT NULL,
        id_masked text NOT NULL,
        birth_date date NOT NULL,
        sex text NOT NULL,
        phone text NOT NULL,
        origin_code text NOT NULL,
        education text NOT NULL,
        employer text NOT NULL,
        address_id bigint NOT NULL,
        start_date date NOT NULL,
        reason text NOT NULL,
        source text NOT NULL,
        prev_address_id bigint,
        prev_start date,
        prev_end date
    )
"""
# One statement per chunk: the persons not yet in the registry, then the registrations of
# exactly those persons (joined back through the id_hash they were inserted with).
MOVE_CHUNK = """
    WITH inserted AS (
        INSERT INTO residents_person (
            name, id_number, id_hash, id_masked, birth_date, sex, phone, origin_code,
            education, employer, created_at
        )
        SELECT name, id_number, id_hash, id_masked, birth_date, sex, phone, origin_code,
               education, employer, now()
        FROM seed_person_stage
        ORDER BY seq
        ON CONFLICT (id_hash) DO NOTHING
        RETURNING id, id_hash
    ), registered AS (
        INSERT INTO residents_registration (
            person_id, address_id, start_date, end_date, reason, source, created_at
        )
        SELECT inserted.id, r.address_id, r.start_date, r.end_date, s.reason, s.source, now()
        FROM inserted
        JOIN seed_person_stage s ON s.id_hash = inserted.id_hash
        CROSS JOIN LATERAL (
            VALUES (s.prev_address_id, s.prev_start, s.prev_end),
                   (s.address_id, s.start_date, NULL::date)
        ) AS r (address_id, start_date, end_date)
        WHERE r.address_id IS NOT NULL
        ORDER BY s.seq, r.start_date
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM registered)
"""


def region_for(county: tuple[tuple[int, str], ...], year: int) -> str:
    """The region code a person of that county born in `year` was given."""
    code = county[0][1]
    for since, candidate in county:
        if year >= since:
            code = candidate
    return code


def _weighted(pairs: Sequence[tuple[object, int]]) -> tuple[list, list[int]]:
    values = [value for value, _weight in pairs]
    cumulative: list[int] = []
    total = 0
    for _value, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


def generate(
    rng: random.Random, *, count: int, address_ids: Sequence[int], today: dt.date
) -> Iterator[tuple]:
    """Yield `count` staging rows without the encrypted number, hash or mask (see `_seal`).

    Rows are a pure function of the generator's state and `today`, and every ID number is
    distinct within one call.
    """
    choices = rng.choices
    randrange = rng.randrange
    random_ = rng.random
    cohorts, cohort_weights = _weighted([((a, b), w) for a, b, w in BIRTH_COHORTS])
    educations, education_weights = _weighted(ADULT_EDUCATION)
    reasons, reason_weights = _weighted(ADULT_REASONS)
    sources, source_weights = _weighted(SOURCES)
    # Plain strings for COPY: the stored values, never an enum's name.
    educations, reasons, sources = (
        [str(v) for v in values] for values in (educations, reasons, sources)
    )
    child_education = {
        age: "" if age < 7 else str(Education.NONE) if age < 13 else str(Education.JUNIOR_MIDDLE)
        for age in range(16)
    }
    work, study, family = str(Reason.WORK), str(Reason.STUDY), str(Reason.FAMILY)
    counties = [county for _name, county in ORIGIN_COUNTIES]
    first_day = dt.date(1950, 1, 1).toordinal()
    last_birth = min(dt.date(2020, 12, 31), today).toordinal()
    today_ordinal = today.toordinal()
    cohort_ranges = [
        (dt.date(a, 1, 1).toordinal(), min(dt.date(b, 12, 31).toordinal(), last_birth))
        for a, b in cohorts
    ]
    n_addresses = len(address_ids)
    seen: set[int] = set()
    made = 0
    while made < count:
        low, high = choices(cohort_ranges, cum_weights=cohort_weights)[0]
        birth_ordinal = max(first_day, low + randrange(high - low + 1))
        birth = dt.date.fromordinal(birth_ordinal)
        male = random_() < 0.55
        seq = 2 * randrange(500) + (1 if male else 0) or 2
        region = region_for(counties[randrange(len(counties))], birth.year)
        body = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
        key = int(body)
        if key in seen:
            continue
        seen.add(key)
        number = body + ric.calc_check_digit(body + "0")
        age = (today_ordinal - birth_ordinal) // 365
        surname = SURNAMES[randrange(len(SURNAMES))]
        pool = GIVEN_MALE if male else GIVEN_FEMALE
        given = pool[randrange(len(pool))]
        if random_() < 0.6:
            given += pool[randrange(len(pool))]
        if age >= 16:
            phone = f"+861{'35789'[randrange(5)]}{randrange(10**9):09d}"
            education = choices(educations, cum_weights=education_weights)[0]
            reason = choices(reasons, cum_weights=reason_weights)[0]
            if reason == study and age >= 30:
                reason = work
        else:
            phone = ""
            education = child_education[age]
            reason = family
        employer = ""
        if 18 <= age < 65 and random_() < 0.8:
            employer = (
                EMPLOYER_PREFIXES[randrange(len(EMPLOYER_PREFIXES))]
                + EMPLOYER_TRADES[randrange(len(EMPLOYER_TRADES))]
                + EMPLOYER_FORMS[randrange(len(EMPLOYER_FORMS))]
            )
        earliest = max(birth_ordinal, today_ordinal - 3650)
        start = earliest + randrange(today_ordinal - earliest + 1)
        prev_address = prev_start = prev_end = None
        if random_() < 0.34:
            end = start - 1 - randrange(90)
            begin = end - 90 - randrange(1400)
            if begin >= birth_ordinal:
                prev_address = address_ids[randrange(n_addresses)]
                prev_start = dt.date.fromordinal(begin)
                prev_end = dt.date.fromordinal(end)
        made += 1
        yield (
            made,
            surname + given,
            number,
            birth,
            "M" if male else "F",
            phone,
            f"{region}000000",
            education,
            employer,
            address_ids[randrange(n_addresses)],
            dt.date.fromordinal(start),
            reason,
            choices(sources, cum_weights=source_weights)[0],
            prev_address,
            prev_start,
            prev_end,
        )


def _seal(rows: Sequence[tuple]) -> Iterator[tuple]:
    """Complete generated rows with the encrypted number, keyed hash and masked number."""
    encrypt = Person._meta.get_field("id_number").f.encrypt
    keyed_hash = idnumber.keyed_hash
    mask = idnumber.mask
    for seq, name, number, *rest in rows:
        yield (
            seq,
            name,
            encrypt(number.encode()).decode(),
            keyed_hash(number),
            mask(number),
            *rest,
        )


def _next_chunk(rows: Iterator[tuple], size: int) -> list[tuple]:
    """The next `size` generated rows (empty when none are left)."""
    return list(itertools.islice(rows, size))


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _sealed_copy_text(rows: list[tuple]) -> bytes:
    """Generated rows, sealed (`_seal`) and written out in COPY's text format."""
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in _seal(rows)).encode()


@contextlib.contextmanager
def _sealing(workers: int) -> Iterator[Callable[[list[tuple]], concurrent.futures.Future]]:
    """Submit generated chunks to be sealed and written out: to forked processes, or, with one
    worker, to a helper thread."""
    if workers <= 1:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
            yield lambda chunk: thread.submit(_sealed_copy_text, chunk)
        return
    with forked.pool(workers) as pool:
        yield lambda chunk: pool.submit(_sealed_copy_text, chunk)


def load_persons(
    *,
    count: int,
    seed: int,
    address_ids: Sequence[int],
    today: dt.date,
    chunk_size: int = CHUNK_SIZE,
    write: Callable[[str], None] = print,
    rows: Iterator[tuple] | None = None,
) -> tuple[int, int]:
    """Add `count` synthetic persons living at `address_ids`; return (persons, registrations) added.

    The same seed, count, addresses and day give the same persons, so a rerun adds nothing.
    Each chunk commits on its own (a savepoint inside an outer transaction). One helper thread
    makes the rows (only that thread touches the random generator: one sequence, so the same
    persons every time); a pool of forked processes (portal.forked) seals them (encrypted
    number, keyed hash, mask) and writes them out as COPY text, one chunk each, while this
    thread streams the chunks into the database in order.
    `rows`, when given, are rows made by `generate` (changed by the caller: the city simulator
    places them).
    """
    if count <= 0:
        return 0, 0
    if not address_ids:
        raise ValueError("synthetic persons need at least one address")
    if rows is None:
        rng = random.Random(seed)  # noqa: S311 - made-up demo data, not a secret
        rows = generate(rng, count=count, address_ids=address_ids, today=today)
    started = time.perf_counter()
    persons = registrations = done = 0
    columns = ", ".join(STAGE_COLUMNS)
    workers = forked.worker_count()
    with (
        connection.cursor() as cursor,
        concurrent.futures.ThreadPoolExecutor(max_workers=1) as maker,
        _sealing(workers) as seal,
    ):
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(CREATE_STAGE)
        try:
            made: collections.deque[concurrent.futures.Future] = collections.deque()
            sealed: collections.deque[tuple[int, concurrent.futures.Future]] = collections.deque()
            exhausted = False
            while True:
                # Keep the maker one chunk ahead and every sealing worker busy.
                while not exhausted and len(sealed) <= workers:
                    if not made:
                        made.append(maker.submit(_next_chunk, rows, chunk_size))
                    chunk = made.popleft().result()
                    if not chunk:
                        exhausted = True
                        break
                    # Sealed first: the pool forks on its first chunk, while the maker rests.
                    sealed.append((len(chunk), seal(chunk)))
                    made.append(maker.submit(_next_chunk, rows, chunk_size))
                if not sealed:
                    break
                size, text = sealed.popleft()
                with transaction.atomic():
                    # A rerun repairs a lost chunk, so a bulk load need not wait for each flush.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute("SET LOCAL work_mem = '64MB'")
                    cursor.execute(f"TRUNCATE {STAGE}")
                    with cursor.copy(f"COPY {STAGE} ({columns}) FROM STDIN") as copy:
                        copy.write(text.result())
                    cursor.execute(MOVE_CHUNK)
                    added_persons, added_registrations = cursor.fetchone()
                persons += added_persons
                registrations += added_registrations
                done += size
                write(
                    _(
                        "  %(done)s/%(count)s generated: %(persons)s persons and "
                        "%(registrations)s registrations added (%(seconds).1f s)"
                    )
                    % {
                        "done": f"{done:,}",
                        "count": f"{count:,}",
                        "persons": f"{persons:,}",
                        "registrations": f"{registrations:,}",
                        "seconds": time.perf_counter() - started,
                    }
                )
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute("ANALYZE residents_person")
        cursor.execute("ANALYZE residents_registration")
    return persons, registrations
