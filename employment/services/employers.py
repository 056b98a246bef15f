"""Employers (以业管人): an employer account registers an enterprise by its unified social credit
code, and the human-resources department of its district verifies it.

The registration is a workflow case of kind "employer" (department: human resources). The
credit code is checked by its GB 32100-2015 check character (python-stdnum's cn.uscc;
docs/domain.md "Employment"). A rejected or withdrawn registration leaves the register, so
the code can be registered again; one active registration per code (a partial unique
constraint).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc

from employment import selectors
from employment.models import Employer, Trade
from portal.accounts.models import User
from portal.areas.models import Area, Level
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.notices.services import notify_after_commit
from portal.workflow import services as workflow
from portal.workflow.models import Case, Status

KIND = "employer"


def case_detail_url(case: Case) -> str:
    return reverse("employment:review_employer", args=[case.pk])


def issued_link(case: Case) -> tuple[str, str] | None:
    """What an approved registration produced: the verified enterprise, on the account's page
    of it (workers, dormitories, postings)."""
    if case.status != Status.APPROVED:
        return None
    employer = Employer.objects.filter(case=case).only("pk").first()
    if employer is None:
        return None
    return _("My verified enterprise"), reverse("employment:employer", args=[employer.pk])


def clean_credit_code(raw: str) -> str:
    """The credit code in compact form, or InvalidInput saying what is wrong with it."""
    code = uscc.compact(raw or "")
    if not code:
        message = _("Please enter the unified social credit code.")
    else:
        try:
            return uscc.validate(code)
        except stdnum_exceptions.InvalidLength:
            message = _("A unified social credit code has 18 characters.")
        except stdnum_exceptions.InvalidChecksum:
            message = _(
                "This unified social credit code is not valid: its check character does not "
                "match. Please copy it again from the business licence."
            )
        except stdnum_exceptions.ValidationError:
            message = _(
                "This unified social credit code is not valid: it uses digits and capital "
                "letters other than I, O, S, V and Z."
            )
    raise InvalidInput(message, code="invalid_credit_code", fields={"credit_code": [message]})


def _clean(
    *,
    name: str,
    credit_code: str,
    district_id: int,
    trade: str,
    contact_name: str,
    contact_phone: str,
) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict = {
        "name": (name or "").strip(),
        "contact_name": (contact_name or "").strip(),
        "contact_phone": (contact_phone or "").strip(),
        "trade": trade,
    }
    if not clean["name"]:
        errors["name"] = [_("Please enter the enterprise's name as on the business licence.")]
    elif len(clean["name"]) > 100:
        errors["name"] = [_("At most 100 characters.")]
    try:
        clean["credit_code"] = clean_credit_code(credit_code)
    except InvalidInput as exc:
        errors.update(exc.fields)
    district = Area.objects.filter(pk=district_id, level=Level.DISTRICT).first()
    if district is None:
        errors["district"] = [_("Please choose a district from the list.")]
    clean["district"] = district
    if trade not in Trade.values:
        errors["trade"] = [_("Please choose a trade from the list.")]
    if not clean["contact_name"]:
        errors["contact_name"] = [_("Please enter a contact person.")]
    elif len(clean["contact_name"]) > 50:
        errors["contact_name"] = [_("A name has at most 50 characters.")]
    if not clean["contact_phone"] or len(clean["contact_phone"]) > 20:
        errors["contact_phone"] = [_("Please enter a contact phone number.")]
    if errors:
        raise InvalidInput(fields=errors)
    return clean


def register_employer(
    *,
    actor: User,
    name: str,
    credit_code: str,
    district_id: int,
    trade: str,
    contact_name: str,
    contact_phone: str,
) -> Employer:
    """An employer account registers an enterprise and sends it to human resources for checking.

    Refused, listing every problem at once: an invalid credit code (GB 32100 check character),
    a code already registered and not rejected, a missing name or contact.
    """
    if not selectors.is_employer(actor):
        raise NotAllowed(_("Only an employer account can register an enterprise."))
    clean = _clean(
        name=name,
        credit_code=credit_code,
        district_id=district_id,
        trade=trade,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    taken = _("This credit code is already registered on the portal.")
    with transaction.atomic():
        if Employer.objects.filter(credit_code=clean["credit_code"], is_active=True).exists():
            raise InvalidInput(taken, code="credit_code_taken", fields={"credit_code": [taken]})
        case = workflow.create_case(
            kind=KIND,
            applicant=actor,
            district=clean["district"],
            subject=clean["name"],
            actor=actor,
        )
        try:
            with transaction.atomic():
                employer = Employer.objects.create(case=case, account=actor, **clean)
        except IntegrityError:
            raise InvalidInput(
                taken, code="credit_code_taken", fields={"credit_code": [taken]}
            ) from None
        workflow.submit_case(case_id=case.pk, actor=actor)
        return Employer.objects.select_related("case", "district").get(pk=employer.pk)


def _own(actor: User, employer_id: int) -> Employer:
    employer = selectors.employers_of(actor).filter(pk=employer_id).first()
    if employer is None:
        raise NotFound()
    return employer


def resubmit_employer(*, actor: User, employer_id: int) -> Employer:
    """Send a returned registration back to human resources."""
    employer = _own(actor, employer_id)
    workflow.submit_case(case_id=employer.case_id, actor=actor)
    return _own(actor, employer_id)


def withdraw_employer(*, actor: User, employer_id: int) -> Employer:
    employer = _own(actor, employer_id)
    workflow.withdraw_case(case_id=employer.case_id, actor=actor)
    return _own(actor, employer_id)


def _reviewed(actor: User, employer_id: int) -> Employer:
    employer = selectors.employers_reviewable_by(actor).filter(pk=employer_id).first()
    if employer is None:
        raise NotFound()
    return employer


def approve_employer(*, actor: User, employer_id: int, reason: str = "") -> Employer:
    """Human resources confirm the enterprise: it can declare workers and post jobs."""
    employer = _reviewed(actor, employer_id)
    workflow.approve_case(case_id=employer.case_id, actor=actor, reason=reason)
    return Employer.objects.select_related("case").get(pk=employer.pk)


def reject_employer(*, actor: User, employer_id: int, reason: str) -> Employer:
    employer = _reviewed(actor, employer_id)
    workflow.reject_case(case_id=employer.case_id, actor=actor, reason=reason)
    return Employer.objects.select_related("case").get(pk=employer.pk)


def return_employer(*, actor: User, employer_id: int, reason: str) -> Employer:
    employer = _reviewed(actor, employer_id)
    workflow.return_case(case_id=employer.case_id, actor=actor, reason=reason)
    return Employer.objects.select_related("case").get(pk=employer.pk)


# --- workflow hooks (called inside the transition's transaction) ----------------------------------


def _employer_of(case: Case) -> Employer:
    return Employer.objects.select_for_update().get(case=case)


def _tell(employer: Employer, message: Callable[[], tuple[str, str]]) -> None:
    link = reverse("employment:employer", args=[employer.pk])
    notify_after_commit(employer.account, message, link=link)


def on_approve(*, case: Case, actor: User) -> None:
    employer = _employer_of(case)
    _tell(
        employer,
        lambda: (
            _("Enterprise verified: %(name)s") % {"name": employer.name},
            _("You can now declare workers and post jobs."),
        ),
    )


def on_reject(*, case: Case, actor: User) -> None:
    employer = _employer_of(case)
    employer.is_active = False
    employer.save(update_fields=["is_active"])
    _tell(
        employer,
        lambda: (
            _("Enterprise registration rejected: %(name)s") % {"name": employer.name},
            case.last_reason,
        ),
    )


def on_return(*, case: Case, actor: User) -> None:
    employer = _employer_of(case)
    _tell(
        employer,
        lambda: (
            _("Enterprise registration returned: %(name)s") % {"name": employer.name},
            case.last_reason,
        ),
    )


def on_withdraw(*, case: Case, actor: User) -> None:
    employer = _employer_of(case)
    employer.is_active = False
    employer.save(update_fields=["is_active"])
