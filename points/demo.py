"""The points part of the demo city.

Both reference rule sets (Shanghai 2015, Zhongshan 2014) are published by the data migration;
here the demo city gets its own scheme (东瓯市, a copy of the Zhongshan table under its own
name) and the portal runs it; the city's first district is its centre and the other districts
are the outer towns (the 30% multiplier). resident1 holds a residence permit and has a
complete points application for a school place, verified by education1 (education),
points1 (human resources) and police1 (public security): a score above the school threshold.
points1, of the points office, has published the first school round's ranking list.

Everything is found before it is made, so a rerun changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from points import selectors, spec
from points.models import ApplicationStatus, Claim, RankingList, RuleSet, Scheme, Zone
from points.services import claims, rankings
from points.services import rules as rule_services
from portal.accounts.models import User
from portal.demo import SeedContext
from residents import portrait
from residents.models import Basis, MaterialKind, Permit, PermitStatus, Person

REFERENCE_SCHEME = "zhongshan"
# The demo city (东瓯市, portal.areas.demo) runs its own scheme, made from the Zhongshan 2014
# table; Shanghai 2015 and Zhongshan 2014 stay as reference sets.
SCHEME = "dongou"
# A tiny, valid PDF for the demo's evidence (the permit photo is residents.portrait's).
DEMO_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
RESIDENT1_CLAIMS = {
    "education": ["junior_college"],
    "insurance_type_years_province": 12,
    "work_years_city": 2,
}
ROUND = "2026年秋季第一批（演示）"
DEMO_EMPLOYER = "东瓯精密机电有限公司"


def ensure_reference_tables() -> None:
    """The fact types and seed rule sets come from the data migrations; a database emptied
    since (a test database flushed by a transactional test) gets them again, idempotently."""
    if Scheme.objects.filter(code=REFERENCE_SCHEME).exists():
        return
    from importlib import import_module

    from django.apps import apps

    import_module("points.migrations.0002_fact_types").create_fact_types(apps, None)
    import_module("points.migrations.0003_seed_rule_sets").create_rule_sets(apps, None)
    import_module("points.migrations.0005_verifying_departments").apply_map(apps, None)


def ensure_demo_scheme(*, actor: User) -> Scheme:
    """The demo city's own points scheme: version 1 copied from the Zhongshan 2014 table under
    the city's name, published (found, not made again, on a rerun)."""
    scheme = Scheme.objects.filter(code=SCHEME).first()
    if scheme is not None:
        return scheme
    scheme = Scheme.objects.create(
        code=SCHEME, name="东瓯市新居民积分（演示）", name_en="Dongou new-resident points (demo)"
    )
    reference = RuleSet.objects.get(scheme__code=REFERENCE_SCHEME, version=1)
    copied = spec.export_spec(reference)
    copied.update(
        name="东瓯市新居民积分指标（演示，参照中山2014）",
        name_en="Dongou new-resident points table (demo, after Zhongshan 2014)",
        source="演示城市规则，参照" + (reference.source or reference.name),
    )
    rule_set = spec.write_spec(copied, scheme=scheme, version=1)
    rule_services.publish_rule_set(actor=actor, rule_set_id=rule_set.pk)
    return scheme


def seed(ctx: SeedContext) -> None:
    users: dict[str, User] = ctx.made["users"]
    with transaction.atomic():
        ensure_reference_tables()
        scheme = ensure_demo_scheme(actor=users["admin"])
        rule_services.activate_scheme(actor=users["admin"], scheme_id=scheme.pk)
        put_zones(ctx.made["districts"])
    person = Person.objects.get(user__username="resident1")
    ensure_permit(person, resident=users["resident1"], police=users["police1"])
    application = ensure_scored_application(
        person,
        resident=users["resident1"],
        reviewers={
            "education": users["education1"],
            "human_resources": users["points1"],
            "public_security": users["police1"],
        },
    )
    ensure_ranking(application, office=users["points1"])
    score = selectors.current_score(person, selectors.rule_set_in_force())
    ctx.write(
        _(
            "Demo points: the demo city's own rules in force; resident1 scores %(total)s for a school place."
        )
        % {"total": score.total("school") if score else "-"}
    )


def put_zones(districts: list) -> None:
    """The first district is the centre; the others are the outer towns."""
    central, _created = Zone.objects.get_or_create(
        code="central", defaults={"name": "中心城区", "name_en": "Central districts"}
    )
    outer, _created = Zone.objects.get_or_create(
        code="outer", defaults={"name": "镇区", "name_en": "Outer towns"}
    )
    central.areas.set(districts[:1])
    outer.areas.set(districts[1:])


def ensure_permit(person: Person, *, resident: User, police: User) -> bool:
    """resident1's residence permit, applied for and issued on the shared lifecycle; False when
    resident1 cannot have one yet (registered too recently), the points then not eligible."""
    from residents import selectors as resident_selectors
    from residents import services as resident_services

    if Permit.objects.filter(person=person, status=PermitStatus.VALID).exists():
        return True
    if resident_selectors.permit_eligibility_problems(person):
        return False
    application = resident_services.create_permit_application(
        actor=resident,
        person_id=person.pk,
        basis=Basis.EMPLOYMENT,
        basis_detail=person.employer or DEMO_EMPLOYER,
    )
    resident_services.add_material(
        actor=resident,
        application_id=application.pk,
        kind=MaterialKind.PHOTO,
        upload=SimpleUploadedFile("photo.jpg", portrait.placeholder_portrait(person.name)),
    )
    resident_services.add_material(
        actor=resident,
        application_id=application.pk,
        kind=MaterialKind.PROOF,
        upload=SimpleUploadedFile("contract.pdf", DEMO_PDF),
    )
    resident_services.submit_permit_application(actor=resident, application_id=application.pk)
    resident_services.approve_permit_application(actor=police, application_id=application.pk)
    return True


def ensure_scored_application(person: Person, *, resident: User, reviewers: dict[str, User]):
    """resident1's school-place application: claimed, evidenced, submitted and verified."""
    done = person.points_applications.filter(status=ApplicationStatus.COMPLETED).first()
    if done is not None:
        return done
    application = selectors.open_application_of(person) or claims.start_application(
        actor=resident, service="school"
    )
    if application.status == ApplicationStatus.DRAFT:
        claimed = set(application.claims.values_list("fact_type_id", flat=True))
        for fact_type, value in RESIDENT1_CLAIMS.items():
            if fact_type in claimed:
                continue
            claim = claims.add_claim(
                actor=resident, application_id=application.pk, fact_type=fact_type, value=value
            )
            claims.add_evidence(
                actor=resident,
                claim_id=claim.pk,
                upload=SimpleUploadedFile(f"{fact_type}.pdf", DEMO_PDF),
            )
        claims.submit_application(actor=resident, application_id=application.pk)
    for claim in Claim.objects.filter(application=application).select_related("case__department"):
        if claim.case.status in ("submitted", "in_review"):
            claims.verify_claim(actor=reviewers[claim.case.department.code], claim_id=claim.pk)
    application.refresh_from_db()
    return application


def ensure_ranking(application, *, office: User) -> None:
    """The first school round's ranking list, published by the points office."""
    if RankingList.objects.filter(round_name=ROUND).exists():
        return
    today = timezone.localdate()
    rankings.publish_ranking(
        actor=office,
        service="school",
        round_name=ROUND,
        applications_from=today - dt.timedelta(days=90),
        applications_until=today,
    )
