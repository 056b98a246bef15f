"""The employment part of the demo city.

Two employer accounts: employer1's shoe factory (鞋业) in the first district has a dormitory
(a standard address of the demo city nobody lived at) with 8 beds and five workers, three of them housed there (registered with source employer),
one who has left; employer2's garment factory in the second district has two workers. points1
(human resources of every district) verified both enterprises. employer1 has two approved job
postings, employer2 one waiting in the workbench; resident1 has a jobseeker profile and has
applied. The year's plan has two courses; resident1 and resident2 wished for digital skills
and enrolled on the first course, where resident1 already attended a session.

Everything goes through the employment services, like any other declaration; enterprises are
found by credit code, workers by ID number, courses by title, so a rerun changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric, uscc

from employment import services
from employment.models import (
    Course,
    Dormitory,
    Employer,
    Employment,
    Enrolment,
    JobApplication,
    JobPosting,
    JobseekerProfile,
    TrainingWish,
)
from portal.accounts.demo import DemoAccount, put_account
from portal.accounts.models import Role, User
from portal.demo import SeedContext
from portal.workflow.models import Status
from residents import idnumber
from residents.models import Person, Registration

ACCOUNTS = (
    DemoAccount(
        "employer1",
        "陈志远",
        (Role.EMPLOYER,),
        gettext_lazy("employer: a shoe factory with a dormitory and workers"),
    ),
    DemoAccount(
        "employer2",
        "林秀英",
        (Role.EMPLOYER,),
        gettext_lazy("employer: a garment factory"),
    ),
)

# (name, birth date, sequence, housed in the dormitory, days ago started, days ago left)
SHOE_WORKERS = (
    ("黄建军", dt.date(1992, 4, 3), 201, True, 90, None),
    ("何丽娟", dt.date(1996, 9, 21), 202, True, 40, None),
    ("谢文斌", dt.date(1988, 1, 15), 203, True, 12, None),
    ("罗海燕", dt.date(1999, 11, 2), 204, False, 5, None),
    ("梁国庆", dt.date(1985, 10, 1), 205, False, 200, 20),
)
GARMENT_WORKERS = (
    ("宋春梅", dt.date(1993, 3, 8), 206, False, 60, None),
    ("唐志强", dt.date(1990, 7, 19), 207, False, 15, None),
)


def credit_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


def worker_id(birth: dt.date, seq: int) -> str:
    body = f"360426{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def seed(ctx: SeedContext) -> None:
    users = ctx.made["users"]
    districts = ctx.made["districts"]
    first_grids = [grid for grid in ctx.made["grids"] if grid.district_id == districts[0].pk]
    for account in ACCOUNTS:
        users[account.username], _created = put_account(
            account, districts=districts, first_grids=first_grids
        )
    logins = ctx.made.setdefault("logins", [])
    for account in ACCOUNTS:
        if all(username != account.username for username, _d in logins):
            logins.append((account.username, account.description))
    with transaction.atomic():
        shoes = _employer(
            ctx, users["employer1"], "温州鹿城鞋业有限公司", "91330302MA2AYX001", districts[0]
        )
        garments = _employer(
            ctx,
            users["employer2"],
            "温州瓯海服装有限公司",
            "91330304MA2AYX002",
            districts[1 % len(districts)],
        )
        dormitory = _dormitory(ctx, users["employer1"], shoes)
        _workers(users["employer1"], shoes, SHOE_WORKERS, dormitory)
        _workers(users["employer2"], garments, GARMENT_WORKERS, None)
        _postings(ctx, shoes, garments)
        courses = _training(ctx)
    ctx.write(
        _(
            "Employment: %(employers)d employers with %(workers)d current workers, "
            "%(postings)d open job postings, %(courses)d courses with %(enrolments)d enrolments."
        )
        % {
            "employers": 2,
            "workers": Employment.objects.filter(
                employer__in=[shoes, garments], end_date__isnull=True
            ).count(),
            "postings": JobPosting.objects.filter(
                employer__in=[shoes, garments], case__status=Status.APPROVED
            ).count(),
            "courses": len(courses),
            "enrolments": Enrolment.objects.filter(course__in=courses).count(),
        }
    )


def _employer(ctx: SeedContext, account: User, name: str, body: str, district) -> Employer:
    code = credit_code(body)
    employer = Employer.objects.filter(credit_code=code, is_active=True).first()
    if employer is None:
        employer = services.register_employer(
            actor=account,
            name=name,
            credit_code=code,
            district_id=district.pk,
            trade="manufacturing",
            contact_name=account.first_name,
            contact_phone="0577-88000000",
        )
    if employer.case.status == Status.SUBMITTED:
        employer = services.approve_employer(
            actor=ctx.made["users"]["points1"],
            employer_id=employer.pk,
            reason="营业执照与统一社会信用代码核验一致。",
        )
    return employer


def _dormitory(ctx: SeedContext, account: User, employer: Employer) -> Dormitory:
    found = employer.dormitories.filter(is_active=True).first()
    if found is not None:
        return found
    # A standard address of the demo city where nobody is registered yet, in the last grid.
    candidates = [a for addresses in ctx.made["addresses_by_grid"].values() for a in addresses]
    taken = set(
        Registration.objects.filter(address__in=candidates, end_date__isnull=True).values_list(
            "address_id", flat=True
        )
    )
    address = next((a for a in reversed(candidates) if a.pk not in taken), candidates[-1])
    return services.add_dormitory(
        actor=account, employer_id=employer.pk, address_id=address.pk, capacity=8
    )


def _workers(account: User, employer: Employer, rows, dormitory: Dormitory | None) -> None:
    today = timezone.localdate()
    for name, birth, seq, housed, started, left in rows:
        number = worker_id(birth, seq)
        person = Person.objects.filter(id_hash=idnumber.keyed_hash(number)).first()
        if (
            person is not None
            and Employment.objects.filter(employer=employer, person=person).exists()
        ):
            continue
        employment = services.declare_worker_start(
            actor=account,
            employer_id=employer.pk,
            name=name,
            id_number=number,
            start_date=today - dt.timedelta(days=started),
            job_title="操作工",
            dormitory_id=dormitory.pk if housed and dormitory else None,
        )
        if left is not None:
            services.declare_worker_end(
                actor=account,
                employment_id=employment.pk,
                end_date=today - dt.timedelta(days=left),
            )


def _postings(ctx: SeedContext, shoes: Employer, garments: Employer) -> None:
    users = ctx.made["users"]
    rows = (
        (users["employer1"], shoes, "制鞋流水线操作工", 5500, 7500, ["制鞋", "流水线"], True),
        (users["employer1"], shoes, "仓库叉车司机", 6500, 8500, ["叉车证", "仓储"], True),
        (users["employer2"], garments, "平车缝纫工", 6000, 9000, ["缝纫", "平车"], False),
    )
    for account, employer, title, low, high, skills, approve in rows:
        posting = JobPosting.objects.filter(employer=employer, title=title).first()
        if posting is None:
            posting = services.create_posting(
                actor=account,
                employer_id=employer.pk,
                title=title,
                trade="manufacturing",
                district_id=employer.district_id,
                pay_min=low,
                pay_max=high,
                skills=skills,
                openings=5,
                description="包吃住，五险一金，做六休一，熟手优先。",
            )
        if approve and posting.case.status == Status.SUBMITTED:
            services.approve_posting(actor=users["points1"], posting_id=posting.pk)
    resident = users.get("resident1")
    person = Person.objects.filter(user=resident).first() if resident else None
    if person is None:
        return
    if not JobseekerProfile.objects.filter(person=person).exists():
        services.save_profile(
            actor=resident,
            education="senior_middle",
            skill_level="level_4",
            employment_status="employed",
            trade="manufacturing",
            skills=["制鞋", "质检"],
            summary="十年制鞋经验，持中级工证书。",
        )
    first = JobPosting.objects.filter(employer=shoes, case__status=Status.APPROVED).first()
    if first and not JobApplication.objects.filter(posting=first, person=person).exists():
        services.apply_for_job(actor=resident, posting_id=first.pk)


def _training(ctx: SeedContext) -> list[Course]:
    users = ctx.made["users"]
    staff = users["points1"]
    today = timezone.localdate()
    specs = (
        ("智能手机与网上办事", "digital", "in_person", "鹿城区新居民服务中心201室", 30, 2),
        ("劳动合同与工资权益", "law", "online", "", 200, 1),
    )
    courses = []
    for title, topic, mode, place, capacity, sessions in specs:
        course = Course.objects.filter(title=title, year=today.year).first()
        if course is None:
            course = services.publish_course(
                actor=staff,
                title=title,
                topic=topic,
                mode=mode,
                place=place,
                district_id=ctx.made["districts"][0].pk,
                starts_on=today - dt.timedelta(days=3),
                ends_on=today + dt.timedelta(days=60),
                schedule="每周六 9:00-11:00",
                capacity=capacity,
                sessions_required=sessions,
                description="越新学院点单式公益课。",
            )
        courses.append(course)
    for username in ("resident1", "resident2"):
        user = users.get(username)
        person = Person.objects.filter(user=user).first() if user else None
        if person is None:
            continue
        wished = TrainingWish.objects.filter(person=person, topic="digital").exists()
        if not wished and person.registrations.filter(end_date__isnull=True).exists():
            services.add_wish(actor=user, topic="digital", note="想学手机办理居住证")
        enrolment = Enrolment.objects.filter(course=courses[0], person=person).first()
        if enrolment is None:
            enrolment = services.enrol(actor=user, course_id=courses[0].pk)
        if username == "resident1" and not enrolment.attendance.exists():
            services.record_attendance(
                actor=staff,
                course_id=courses[0].pk,
                session_date=courses[0].starts_on,
                enrolment_ids=[enrolment.pk],
            )
    return courses
