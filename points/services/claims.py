"""Points applications and claims: the resident claims facts with evidence, departments verify.

- A resident starts an application (积分申请) for a service under the rules in force; facts
  the registry knows (birth date, residence, permit, zone) are never asked for. Facts every
  application must declare (criminal and detention records) are added as claims at once.
- Each claim is a workflow case of the kind of the department owning the fact type
  (education: diplomas; human resources: qualifications and insurance; public security:
  records; housing: property; the new-resident service centre the rest), in the district
  where the person is registered. Reviewers see only their department's claims there.
- Submitting the application submits every claim (受理: the acceptance date is the day
  continuity is counted back from). A returned claim is corrected and resubmitted alone.
- When every claim is decided (approved or rejected) the application is complete: the
  registry facts and the verified claims become the person's fact sheet, it is scored into
  the ledger, and the resident is told.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from points import engine, explain, facts, selectors, spec
from points.models import (
    ApplicationStatus,
    Claim,
    Evidence,
    FactSource,
    FactType,
    FeedFact,
    PointsApplication,
    RuleSet,
    Service,
    ValueType,
)
from points.services import ledger
from portal import uploads
from portal.accounts.models import DepartmentCode, User
from portal.errors import InvalidInput, NotEligible, NotFound, TransitionNotAllowed
from portal.notices.services import notify_after_commit
from portal.workflow import services as workflow
from portal.workflow.models import Case, Status
from portal.workflow.registry import ApplicationKind
from residents import selectors as resident_selectors

EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
PERMIT_FACT = "has_permit"
DECIDED = frozenset({Status.APPROVED, Status.REJECTED})
MAX_EVIDENCE_PER_CLAIM = 10

# One application kind per department that verifies claims: (department, label, prefix).
CLAIM_KINDS: tuple[tuple[str, Any, str], ...] = (
    (DepartmentCode.EDUCATION, gettext_lazy("Points claim: education"), "JFJY"),
    (DepartmentCode.HUMAN_RESOURCES, gettext_lazy("Points claim: human resources"), "JFRS"),
    (DepartmentCode.PUBLIC_SECURITY, gettext_lazy("Points claim: public security"), "JFGA"),
    (DepartmentCode.HOUSING, gettext_lazy("Points claim: housing"), "JFZJ"),
    (
        DepartmentCode.SERVICE_CENTRE,
        gettext_lazy("Points claim: new-resident service centre"),
        "JFXJ",
    ),
    # the rest of the verification map (points migration 0005 adds the departments)
    ("civil_affairs", gettext_lazy("Points claim: civil affairs"), "JFMZ"),
    ("science", gettext_lazy("Points claim: science and technology"), "JFKJ"),
    ("health", gettext_lazy("Points claim: health"), "JFWJ"),
    ("tax", gettext_lazy("Points claim: tax"), "JFSW"),
    ("housing_fund", gettext_lazy("Points claim: housing provident fund"), "JFGJ"),
    ("youth_league", gettext_lazy("Points claim: youth league"), "JFTW"),
)


def kind_for(department: str) -> str:
    return f"points_claim_{department}"


def claim_kinds() -> list[ApplicationKind]:
    """The application kinds points registers with the workflow (points.apps)."""
    return [
        ApplicationKind(
            code=kind_for(department),
            label=label,
            department=department,
            prefix=prefix,
            due_days=10,
            on_approve=on_claim_approved,
            on_reject=on_claim_rejected,
            on_return=on_claim_returned,
            detail_url=claim_review_url,
            extra={"issued_link": issued_link},
        )
        for department, label, prefix in CLAIM_KINDS
    ]


def claim_review_url(case: Case) -> str:
    """Where the workbench sends a reviewer for a claim."""
    return reverse("points:review_claim", args=[case.pk])


def application_url(application: PointsApplication) -> str:
    return reverse("points:application", args=[application.pk])


def issued_link(case: Case) -> tuple[str, str] | None:
    """What a verified claim counts in: the claim on the resident's points application, which
    links to the score once every claim is decided."""
    if case.status != Status.APPROVED:
        return None
    claim = Claim.objects.filter(case=case).only("pk", "application_id").first()
    if claim is None:
        return None
    url = reverse("points:application", args=[claim.application_id])
    return _("The verified claim in my points application"), f"{url}#claim-{claim.pk}"


# --- values -------------------------------------------------------------------------------------


def check_value(fact_type: FactType, value: Any) -> Any:
    """A claimed value in its JSON form, checked against its fact type; InvalidInput otherwise.

    Levels must be levels of the fact type; dates may not be in the future.
    """
    try:
        decoded = engine.decode_fact(fact_type.value_type, value)
    except (TypeError, ValueError):
        raise _value_error(
            _("This value is not valid for %(fact)s.") % {"fact": fact_type}
        ) from None
    if fact_type.value_type == ValueType.LEVEL:
        known = {code for code, _label in fact_type.level_choices()}
        if not decoded or not set(decoded) <= known:
            raise _value_error(_("Please choose from the list."))
    today = timezone.localdate()
    days: list[dt.date] = []
    if fact_type.value_type == ValueType.EVENTS:
        days = list(decoded)
    elif fact_type.value_type == ValueType.DATE:
        days = [decoded]
    elif fact_type.value_type == ValueType.PERIODS:
        days = [start for start, _end in decoded]
    if any(day > today for day in days):
        raise _value_error(_("A date may not be in the future."))
    return engine.encode_fact(fact_type.value_type, decoded)


def _value_error(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_value", fields={"value": [message]})


def _declaration(fact_type: FactType) -> Any:
    """The value a mandatory declaration starts with: nothing to declare."""
    return {ValueType.EVENTS: [], ValueType.FLAG: False}.get(fact_type.value_type)


def value_text(fact_type: FactType, value: Any) -> str:
    """A claimed value as the resident and the reviewer read it."""
    if value is None:
        return ""
    kind = fact_type.value_type
    if kind == ValueType.LEVEL:
        labels = dict(fact_type.level_choices())
        return "、".join(labels.get(code, code) for code in value)
    if kind == ValueType.FLAG:
        return _("Yes") if value else _("No")
    if kind == ValueType.EVENTS:
        return "、".join(value) if value else _("None")
    if kind == ValueType.NUMBER:
        return (
            f"{value:g} {fact_type.display_unit}".strip()
            if isinstance(value, float)
            else (f"{value} {fact_type.display_unit}".strip())
        )
    return str(value)


# --- applications ---------------------------------------------------------------------------------


def _lock_own(actor: User, application_id: int) -> PointsApplication:
    application = (
        PointsApplication.objects.select_for_update()
        .filter(applicant=actor, pk=application_id)
        .select_related("person")
        .first()
    )
    if application is None:
        raise NotFound()
    return application


def _rules_in_force() -> RuleSet:
    rule_set = selectors.rule_set_in_force()
    if rule_set is None:
        raise NotEligible(_("There are no points rules in force."), code="no_rules")
    return rule_set


def _new_claim(
    application: PointsApplication, fact_type: FactType, value: Any, note: str, actor: User
) -> Claim:
    case = workflow.create_case(
        kind=kind_for(fact_type.department),
        applicant=application.applicant,
        district=application.district,
        subject=f"{application.person.name}: {fact_type.label}",
        actor=actor,
    )
    return Claim.objects.create(
        application=application, fact_type=fact_type, value=value, note=note, case=case
    )


def no_registration_message() -> str:
    """Why a points application cannot start without a current residence registration."""
    return _("Please register your residence first: claims are verified where you live.")


def start_application(*, actor: User, service: str) -> PointsApplication:
    """Open a points application for the actor themselves, with the declarations every
    application needs. Refused without a registry entry and a current residence registration
    (claims are verified where the person lives), or while another application is open."""
    if service not in Service.values:
        raise InvalidInput(fields={"service": [_("Please choose a service.")]})
    rule_set = _rules_in_force()
    if service not in {s.service for s in spec.compiled(rule_set).services}:
        raise NotEligible(
            _("The rules in force do not score this service."),
            fields={"service": [_("The rules in force do not score this service.")]},
        )
    person = selectors.person_of(actor)
    if person is None:
        raise NotEligible(_("Please enter your details in the registry first."), code="no_person")
    with transaction.atomic():
        person = type(person).objects.select_for_update().get(pk=person.pk)
        district = facts.current_district_of(person)
        if district is None:
            raise NotEligible(no_registration_message(), code="no_registration")
        unmet = entry_problems(rule_set, person, on=timezone.localdate())
        if unmet:
            raise _entry_refusal(unmet)
        if selectors.open_application_of(person) is not None:
            raise TransitionNotAllowed(
                _("You already have a points application in progress."), code="open_application"
            )
        year = timezone.localdate().year
        application = PointsApplication.objects.create(
            reference=f"JF-{year}-{workflow.next_number(f'JF-{year}'):06d}",
            person=person,
            applicant=actor,
            service=service,
            district=district,
        )
        for fact_type in selectors.claimable_fact_types(rule_set):
            if fact_type.mandatory:
                _new_claim(application, fact_type, _declaration(fact_type), "", actor)
        return application


def _claimable(rule_set: RuleSet, fact_type_code: str) -> FactType:
    for fact_type in selectors.claimable_fact_types(rule_set):
        if fact_type.code == fact_type_code:
            return fact_type
    message = _("This fact cannot be claimed under the rules in force.")
    raise InvalidInput(message, fields={"fact_type": [message]})


def add_claim(
    *, actor: User, application_id: int, fact_type: str, value: Any, note: str = ""
) -> Claim:
    """Claim one fact in a draft application (one claim per fact; change it with update_claim)."""
    rule_set = _rules_in_force()
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        if application.status != ApplicationStatus.DRAFT:
            raise TransitionNotAllowed(_("Claims can only be added before submitting."))
        chosen = _claimable(rule_set, fact_type)
        if chosen.code in fed_codes(application.person, rule_set):
            message = _(
                "The department's records already state this fact for you: it is verified "
                "from them and needs no claim."
            )
            raise InvalidInput(message, code="from_feed", fields={"fact_type": [message]})
        if application.claims.filter(fact_type=chosen).exists():
            message = _("You have already claimed this; change the claim instead.")
            raise InvalidInput(message, code="duplicate", fields={"fact_type": [message]})
        return _new_claim(application, chosen, check_value(chosen, value), note.strip(), actor)


def _lock_own_claim(actor: User, claim_id: int) -> Claim:
    claim = (
        selectors.claims_of_applicant(actor)
        .select_for_update(of=("self",))
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise NotFound()
    return claim


def update_claim(*, actor: User, claim_id: int, value: Any, note: str = "") -> Claim:
    """Change a claim while it is a draft or has been returned for correction."""
    with transaction.atomic():
        claim = _lock_own_claim(actor, claim_id)
        if claim.case.status not in EDITABLE:
            raise TransitionNotAllowed(_("This claim can no longer be changed."))
        claim.value = check_value(claim.fact_type, value)
        claim.note = note.strip()
        claim.save(update_fields=["value", "note"])
        return claim


def remove_claim(*, actor: User, claim_id: int) -> None:
    """Drop a claim from a draft application (declarations every application needs stay)."""
    with transaction.atomic():
        claim = _lock_own_claim(actor, claim_id)
        if claim.case.status != Status.DRAFT:
            raise TransitionNotAllowed(_("Only claims not yet submitted can be removed."))
        if claim.fact_type.mandatory:
            raise TransitionNotAllowed(_("Every application must include this declaration."))
        paths = [evidence.path for evidence in claim.evidence.all()]
        workflow.withdraw_case(case_id=claim.case_id, actor=actor, reason=_("Claim removed."))
        claim.evidence.all().delete()
        claim.delete()
        uploads.delete_after_commit(*paths)


def add_evidence(*, actor: User, claim_id: int, upload: UploadedFile) -> Evidence:
    """Attach a file (JPEG, PNG or PDF, checked by content) to the actor's own claim while it
    can be changed. The file is written first and removed again if the row is not written."""
    content_type = uploads.check_upload(upload)
    with transaction.atomic():
        claim = _lock_own_claim(actor, claim_id)
        if claim.case.status not in EDITABLE:
            raise TransitionNotAllowed(
                _("Evidence can only be added before submitting or after a return.")
            )
        if claim.evidence.count() >= MAX_EVIDENCE_PER_CLAIM:
            message = _("At most %(count)s files per claim.") % {"count": MAX_EVIDENCE_PER_CLAIM}
            raise InvalidInput(message, code="too_many_files", fields={"file": [message]})
        with uploads.stored_upload(
            upload, folder=f"points/{claim.pk}", content_type=content_type, uploaded_by=actor
        ) as stored:
            return Evidence.objects.create(claim=claim, **stored)


def remove_evidence(*, actor: User, evidence_id: int) -> None:
    with transaction.atomic():
        evidence = (
            Evidence.objects.select_for_update(of=("self",))
            .filter(pk=evidence_id, claim__in=selectors.claims_of_applicant(actor).values("pk"))
            .select_related("claim__case")
            .first()
        )
        if evidence is None:
            raise NotFound()
        if evidence.claim.case.status not in EDITABLE:
            raise TransitionNotAllowed(
                _("Evidence can only be removed before submitting or after a return.")
            )
        evidence.delete()
        uploads.delete_after_commit(evidence.path)


def entry_problems(
    rule_set: RuleSet,
    person: Any,
    *,
    on: dt.date,
    claimed: dict[str, Any] | None = None,
) -> list[str]:
    """The rule set's entry conditions (持证、在本市工作年限...) the person does not meet on `on`,
    each named in the reader's language; empty when every one holds.

    The registry's facts are read as the score would read them (points.facts); `claimed`
    gives the values the person declares for the other facts. Without `claimed` only the
    conditions on registry facts are checked (a new application: nothing is claimed yet).
    Where a condition is a residence permit, the message tells the day one can be held
    (residents.selectors.permit_eligible_from).
    """
    rules = spec.compiled(rule_set)
    registry_codes = set(
        FactType.objects.filter(source=FactSource.REGISTRY).values_list("code", flat=True)
    )
    raw = {**facts.registry_facts(person, on=on), **(claimed or {})}
    decoded: dict[str, Any] = {}
    for code, value in raw.items():
        value_type = rules.fact_types.get(code)
        if value_type is None:
            continue
        try:
            decoded[code] = engine.decode_fact(value_type, value)
        except engine.FactError:
            continue
    unmet: list[str] = []
    for condition in rules.entry:
        if claimed is None and condition.fact not in registry_codes:
            continue
        if condition.holds(decoded):
            continue
        message = explain.condition_label(condition)
        if condition.fact == PERMIT_FACT:
            day = resident_selectors.permit_eligible_from(person, on=on)
            if day is not None and day > on:
                message += _(" (a residence permit can be applied for from %(date)s)") % {
                    "date": date_format(day)
                }
        unmet.append(message)
    return unmet


def _entry_refusal(unmet: list[str]) -> NotEligible:
    return NotEligible(
        _("The entry conditions of the points rules are not met: %(conditions)s.")
        % {"conditions": "；".join(unmet)},
        code="entry_conditions",
        fields={"entry": unmet},
    )


def submission_problems(application: PointsApplication) -> dict[str, list[str]]:
    """Everything missing before the application can be submitted, listed at once (一次性告知):
    the rule set's entry conditions, on the registry and the values claimed, and evidence."""
    problems: dict[str, list[str]] = {}
    claimed = {
        claim.fact_type.code: claim.value
        for claim in application.claims.select_related("fact_type")
        if claim.fact_type.source == FactSource.CLAIM
    }
    rule_set = selectors.rule_set_in_force()
    unmet = (
        entry_problems(rule_set, application.person, on=timezone.localdate(), claimed=claimed)
        if rule_set is not None
        else []
    )
    if unmet:
        problems["entry"] = unmet
    for claim in application.claims.select_related("fact_type").prefetch_related("evidence"):
        if claim.fact_type.mandatory:
            continue
        if not claim.evidence.all():
            problems.setdefault("evidence", []).append(
                _("%(fact)s: please upload %(evidence)s.")
                % {
                    "fact": claim.fact_type.display_label,
                    "evidence": claim.fact_type.display_evidence_hint or _("a proof"),
                }
            )
    return problems


def submit_application(*, actor: User, application_id: int) -> PointsApplication:
    """Submit every claim to its department (受理). The acceptance date is the reference day
    for continuity. An application without claims is scored at once."""
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        if not application.can_move_to(ApplicationStatus.SUBMITTED):
            raise TransitionNotAllowed()
        problems = submission_problems(application)
        if problems:
            raise NotEligible(
                _("The application cannot be submitted yet: please see the items listed."),
                code="incomplete",
                fields=problems,
            )
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = timezone.now()
        application.save(update_fields=["status", "submitted_at"])
        for claim in application.claims.all():
            workflow.submit_case(case_id=claim.case_id, actor=actor)
        notify_after_commit(
            application.applicant,
            lambda: (
                _("Points application received: %(reference)s")
                % {"reference": application.reference},
                _(
                    "Each claim goes to the department that verifies it. We will tell you your score."
                ),
            ),
            link=application_url(application),
        )
        complete_if_decided(application_id=application.pk, actor=actor)
        application.refresh_from_db()
        return application


def resubmit_claim(*, actor: User, claim_id: int) -> Claim:
    """Send a corrected claim back to its department after a return."""
    with transaction.atomic():
        claim = _lock_own_claim(actor, claim_id)
        if claim.case.status != Status.RETURNED:
            raise TransitionNotAllowed(_("Only a returned claim can be sent again."))
        if not claim.fact_type.mandatory and not claim.evidence.exists():
            message = _("Please upload the evidence first.")
            raise NotEligible(message, fields={"evidence": [message]})
        workflow.submit_case(case_id=claim.case_id, actor=actor)
        claim.case.refresh_from_db()
        return claim


def withdraw_application(*, actor: User, application_id: int) -> PointsApplication:
    """Withdraw an application that is not complete; its open claims are withdrawn too."""
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        if not application.can_move_to(ApplicationStatus.WITHDRAWN):
            raise TransitionNotAllowed()
        for claim in application.claims.select_related("case"):
            if claim.case.can_move_to(Status.WITHDRAWN):
                workflow.withdraw_case(
                    case_id=claim.case_id, actor=actor, reason=_("Application withdrawn.")
                )
        application.status = ApplicationStatus.WITHDRAWN
        application.save(update_fields=["status"])
        return application


# --- verification by the departments ---------------------------------------------------------------


def _lock_for_review(actor: User, claim_id: int) -> Claim:
    claim = (
        selectors.claims_reviewable_by(actor)
        .select_for_update(of=("self",))
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise NotFound()
    return claim


def verify_claim(
    *, actor: User, claim_id: int, verified_value: Any = None, reason: str = ""
) -> Claim:
    """Approve a claim, confirming the claimed value or the value the department's records show
    (a reviewer of public security enters the detentions on record)."""
    with transaction.atomic():
        claim = _lock_for_review(actor, claim_id)
        if verified_value is not None:
            claim.verified_value = check_value(claim.fact_type, verified_value)
            claim.save(update_fields=["verified_value"])
        workflow.approve_case(case_id=claim.case_id, actor=actor, reason=reason)
        claim.refresh_from_db()
        return claim


def reject_claim(*, actor: User, claim_id: int, reason: str) -> Claim:
    """Refuse a claim (it will not count), with the reason the resident reads."""
    with transaction.atomic():
        claim = _lock_for_review(actor, claim_id)
        workflow.reject_case(case_id=claim.case_id, actor=actor, reason=reason)
        claim.refresh_from_db()
        return claim


def return_claim(*, actor: User, claim_id: int, reason: str) -> Claim:
    """Send a claim back for correction, listing everything missing at once."""
    with transaction.atomic():
        claim = _lock_for_review(actor, claim_id)
        workflow.return_case(case_id=claim.case_id, actor=actor, reason=reason)
        claim.refresh_from_db()
        return claim


def on_claim_approved(*, case: Case, actor: User) -> None:
    """Workflow hook: an approved claim counts with its verified value (by default the claim)."""
    claim = Claim.objects.select_for_update().get(case=case)
    if claim.verified_value is None:
        claim.verified_value = claim.value
        claim.save(update_fields=["verified_value"])
    complete_if_decided(application_id=claim.application_id, actor=actor)


def on_claim_rejected(*, case: Case, actor: User) -> None:
    claim = Claim.objects.select_related("fact_type", "application").get(case=case)
    reason = case.last_reason
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Claim not accepted: %(fact)s") % {"fact": claim.fact_type.display_label},
            _("Reason: %(reason)s") % {"reason": reason},
        ),
        link=application_url(claim.application),
    )
    complete_if_decided(application_id=claim.application_id, actor=actor)


def on_claim_returned(*, case: Case, actor: User) -> None:
    claim = Claim.objects.select_related("fact_type", "application").get(case=case)
    reason = case.last_reason
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Claim returned for correction: %(fact)s") % {"fact": claim.fact_type.display_label},
            _("Please correct it and send it again:\n%(reason)s") % {"reason": reason},
        ),
        link=application_url(claim.application),
    )


def collected_facts(
    application: PointsApplication, *, on: dt.date, fed: dict[str, facts.FeedValue] | None = None
) -> dict[str, Any]:
    """The facts an application is scored on: the registry's on `on`, the verified claims, and
    the facts a department's feed states (`fed`, points.facts.feed_facts), which stand in
    for a claim of the same fact."""
    found = facts.registry_facts(application.person, on=on)
    for claim in application.claims.filter(case__status=Status.APPROVED).select_related(
        "fact_type"
    ):
        if claim.fact_type.source == FactSource.CLAIM and claim.verified_value is not None:
            found[claim.fact_type.code] = claim.verified_value
    for code, fed_value in (fed or {}).items():
        found[code] = fed_value.value
    return found


def _record_feed_facts(
    application: PointsApplication, fed: dict[str, facts.FeedValue], *, on: dt.date
) -> None:
    """Keep each fact the feeds verified for the application, with its source (one bulk write)."""
    fact_types = {ft.code: ft for ft in FactType.objects.filter(code__in=list(fed))}
    FeedFact.objects.filter(application=application).delete()
    FeedFact.objects.bulk_create(
        FeedFact(
            application=application,
            fact_type=fact_types[code],
            value=fed_value.value,
            source=fed_value.source[:300],
            run_id=fed_value.run_id,
            verified_on=on,
        )
        for code, fed_value in fed.items()
        if code in fact_types
    )


def fed_codes(person: Any, rule_set: RuleSet) -> set[str]:
    """The claimable facts a department's feed states for the person today: never claimed."""
    return set(facts.feed_facts(person, on=timezone.localdate(), rule_set=rule_set))


def complete_if_decided(*, application_id: int, actor: User | None) -> PointsApplication:
    """Complete a submitted application once every claim is decided: write the fact sheet as
    of the acceptance date, score it under the rules in force, tell the resident.

    Concurrency: the application row is locked, so of two reviewers deciding the last two
    claims at once, the second sees both decisions and completes it, exactly once.
    """
    application = (
        PointsApplication.objects.select_for_update()
        .select_related("person", "applicant")
        .get(pk=application_id)
    )
    if application.status != ApplicationStatus.SUBMITTED:
        return application
    if application.claims.exclude(case__status__in=list(DECIDED)).exists():
        return application
    reference = timezone.localdate(application.submitted_at)
    rule_set = _rules_in_force()
    fed = facts.feed_facts(application.person, on=reference, rule_set=rule_set)
    _record_feed_facts(application, fed, on=reference)
    sheet = ledger.write_fact_sheet(
        person=application.person,
        facts=collected_facts(application, on=reference, fed=fed),
        reference_date=reference,
        applied_at=application.submitted_at,
        application=application,
    )
    entry = ledger.score_sheet(sheet=sheet, rule_set=rule_set)
    application.status = ApplicationStatus.COMPLETED
    application.completed_at = timezone.now()
    application.save(update_fields=["status", "completed_at"])
    service = application.service
    total = entry.total(service)
    passed = service in entry.passed

    def message() -> tuple[str, str]:
        label = Service(service).label
        if passed:
            body = _("Your score for %(service)s is %(total)s: the threshold is reached.")
        else:
            body = _("Your score for %(service)s is %(total)s: the threshold is not reached yet.")
        return (
            _("Your points are ready: %(reference)s") % {"reference": application.reference},
            body % {"service": label, "total": f"{total:g}" if total is not None else "0"},
        )

    notify_after_commit(application.applicant, message, link=reverse("points:score"))
    return application
