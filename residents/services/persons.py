"""Writes to the person registry: a resident's own entry, their dependants, staff access to records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python as parse_phone

from portal.accounts.models import Role, User
from portal.errors import InvalidInput, NotAllowed, NotFound
from residents import idnumber, selectors
from residents.models import Dependant, Education, Person, PersonRecordAccess, Relation


def _clean_details(
    *,
    name: str,
    id_number: str,
    phone: str = "",
    origin_code: str = "",
    education: str = "",
    employer: str = "",
    birth_date: dt.date | None = None,
    sex: str | None = None,
) -> dict[str, Any]:
    """Check a person's details and return them ready to store; every problem reported at once.

    Birth date and sex come from the ID number (GB 11643-1999); when a caller also gives them,
    they must agree with the number.
    """
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {"name": (name or "").strip()}
    if not clean["name"]:
        errors["name"] = [_("Please enter the name.")]
    elif len(clean["name"]) > 50:
        errors["name"] = [_("A name has at most 50 characters.")]
    try:
        parsed = idnumber.parse(id_number)
    except InvalidInput as exc:
        errors.update(exc.fields)
        parsed = None
    if parsed is not None:
        clean.update(
            id_number=parsed.number,
            id_hash=idnumber.keyed_hash(parsed.number),
            id_masked=parsed.masked,
            birth_date=parsed.birth_date,
            sex=parsed.sex,
        )
        if birth_date is not None and birth_date != parsed.birth_date:
            errors["birth_date"] = [_("The birth date does not match the ID number.")]
        if sex and sex != parsed.sex:
            errors["sex"] = [_("The sex does not match the ID number.")]
    phone = (phone or "").strip()
    if phone:
        number = parse_phone(phone, region="CN")
        if number is None or not getattr(number, "is_valid", lambda: False)():
            errors["phone"] = [_("Please enter a valid mobile number.")]
        else:
            clean["phone"] = number
    else:
        clean["phone"] = ""
    origin_code = (origin_code or "").strip()
    if origin_code and not (origin_code.isdigit() and len(origin_code) in (6, 12)):
        errors["origin_code"] = [_("A division code has 6 or 12 digits.")]
    clean["origin_code"] = origin_code
    if education and education not in Education.values:
        errors["education"] = [_("Please choose an education level from the list.")]
    clean["education"] = education or ""
    clean["employer"] = (employer or "").strip()[:200]
    if errors:
        raise InvalidInput(fields=errors)
    return clean


def _duplicate_id_number() -> InvalidInput:
    message = _(
        "A person with this ID number is already registered. If this is you or your child, "
        "please contact the police station."
    )
    return InvalidInput(message, code="duplicate_id_number", fields={"id_number": [message]})


def _create(details: dict[str, Any], **extra: Any) -> Person:
    if Person.objects.filter(id_hash=details["id_hash"]).exists():
        raise _duplicate_id_number()
    try:
        with transaction.atomic():
            return Person.objects.create(**details, **extra)
    except IntegrityError:
        # Another request registered the same number between the check and the insert.
        raise _duplicate_id_number() from None


def create_own_person(*, actor: User, **details: Any) -> Person:
    """A signed-in resident enters themselves in the registry (one entry per user, one per ID number)."""
    clean = _clean_details(**details)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        if Person.objects.filter(user=actor).exists():
            raise InvalidInput(
                _("You have already entered your details."), code="already_registered"
            )
        return _create(clean, user=actor)


def add_dependant(*, actor: User, relation: str, **details: Any) -> Person:
    """A guardian adds a person they act for (a child, an elderly parent) to their household.

    Rule: guardians or close relatives apply for minors under 16 and for the elderly or
    disabled (居住证暂行条例 art. 11). A child must be younger than the guardian.
    """
    errors: dict[str, list[str]] = {}
    if relation not in Relation.values:
        errors["relation"] = [_("Please choose the relation from the list.")]
    try:
        clean = _clean_details(**details)
    except InvalidInput as exc:
        errors.update(exc.fields)
        clean = {}
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        guardian = Person.objects.select_for_update().filter(user=actor).first()
        if guardian is None:
            raise NotAllowed(
                _("Please enter your own details before adding family members."),
                code="no_person",
            )
        if relation == Relation.CHILD and clean["birth_date"] <= guardian.birth_date:
            message = _("A child must be younger than the guardian: please check the ID number.")
            raise InvalidInput(message, fields={"id_number": [message]})
        person = _create(clean)
        Dependant.objects.create(guardian=guardian, dependant=person, relation=relation)
        return person


def create_person_in_field(*, actor: User, **details: Any) -> Person:
    """A grid officer enters a person met at the door (人来申报) who has no account of their own."""
    if not actor.has_role(Role.GRID_OFFICER):
        raise NotAllowed()
    clean = _clean_details(**details)
    with transaction.atomic():
        return _create(clean)


def update_person(
    *,
    actor: User,
    person_id: int,
    phone: str = "",
    origin_code: str = "",
    education: str = "",
    employer: str = "",
) -> Person:
    """A resident corrects the details of themselves or a dependant; name and ID number stay fixed."""
    with transaction.atomic():
        try:
            person = selectors.household_of(actor).select_for_update(of=("self",)).get(pk=person_id)
        except Person.DoesNotExist:
            raise NotFound() from None
        clean = _clean_details(
            name=person.name,
            id_number=person.id_number,
            phone=phone,
            origin_code=origin_code,
            education=education,
            employer=employer,
        )
        for field in ("phone", "origin_code", "education", "employer"):
            setattr(person, field, clean[field])
        person.save(update_fields=["phone", "origin_code", "education", "employer"])
        return person


def open_person_record(*, actor: User, person_id: int, reason: str) -> Person:
    """Staff open a person's full record (the unmasked ID number): who, when and why is written first.

    Only staff whose grids or districts the person is registered in may open it; anyone else
    gets not found. The access row is written in the same transaction that returns the person.
    """
    reason = (reason or "").strip()
    if not reason:
        message = _("Please say why you are opening this record.")
        raise InvalidInput(message, code="reason_required", fields={"reason": [message]})
    with transaction.atomic():
        try:
            person = selectors.persons_in_staff_scope(actor).get(pk=person_id)
        except Person.DoesNotExist:
            raise NotFound() from None
        PersonRecordAccess.objects.create(
            person=person, staff=actor, reason=reason[:1000], at=timezone.now()
        )
        return person


SEARCH_REASON_PREFIX = "ID number search: "


def search_by_id_number(*, actor: User, id_number: str, reason: str) -> list[Person]:
    """Staff with the full-record right find the persons in their scope holding a full ID number.

    Knowing a whole ID number and learning who holds it is an opening of that person's record:
    a reason is required, and each person found is written to PersonRecordAccess (who, when,
    why) before the result is returned. Staff without the right (other reviewers) are refused.
    """
    errors: dict[str, list[str]] = {}
    if not selectors.may_open_full_records(actor):
        raise NotAllowed(
            _("Only grid officers and public-security reviewers may search by ID number.")
        )
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Please say why you are searching for this ID number.")]
    number = ""
    try:
        number = idnumber.parse(id_number).number
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        found = list(
            selectors.person_by_id_number(selectors.persons_in_staff_scope(actor), number)[:50]
        )
        now = timezone.now()
        PersonRecordAccess.objects.bulk_create(
            PersonRecordAccess(
                person=person, staff=actor, reason=(SEARCH_REASON_PREFIX + reason)[:1000], at=now
            )
            for person in found
        )
        return found


def check_declared_person(*, name: str, id_number: str) -> tuple[str, idnumber.IdNumber | None]:
    """The name and parsed ID number of a person someone else declares (a landlord's tenant, an
    employer's worker), or InvalidInput listing every problem."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Please enter the name.")]
    elif len(name) > 50:
        errors["name"] = [_("A name has at most 50 characters.")]
    parsed = None
    try:
        parsed = idnumber.parse(id_number)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    return name, parsed


def declared_person(*, name: str, parsed: idnumber.IdNumber, phone: str = "") -> Person:
    """The declared person's registry entry, locked: found by the keyed hash of the ID number
    (the name must match), or created."""
    id_hash = idnumber.keyed_hash(parsed.number)
    person = Person.objects.select_for_update().filter(id_hash=id_hash).first()
    if person is None:
        try:
            with transaction.atomic():
                person = Person.objects.create(
                    name=name,
                    id_number=parsed.number,
                    id_hash=id_hash,
                    id_masked=parsed.masked,
                    birth_date=parsed.birth_date,
                    sex=parsed.sex,
                    phone=phone,
                )
        except IntegrityError:
            # Declared at the same moment by someone else: use their row.
            person = Person.objects.select_for_update().get(id_hash=id_hash)
    if person.name != name:
        message = _(
            "This ID number is registered under another name. Please check the name on the ID card."
        )
        raise InvalidInput(message, code="name_mismatch", fields={"name": [message]})
    return person
