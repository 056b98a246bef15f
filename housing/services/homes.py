"""Rental homes (出租房屋登记): a landlord registers a home, the housing department checks it.

The registration is a workflow case of kind "rental_home" (department: housing; district: the
address's). Tenants can be declared once it is approved. A rejected or withdrawn registration
leaves the register, so the address can be registered again. Overcrowding (群租): when more
people are registered at the address than the home's maximum, the home is flagged and the
officers of its grid get a follow-up task.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from housing import selectors
from housing.models import RentalHome
from portal.accounts.models import Role, User
from portal.areas import services as area_services
from portal.areas.models import Area, Level
from portal.calendar.selectors import add_working_days
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.notices.services import notify_after_commit
from portal.workflow import services as workflow
from portal.workflow.models import Case
from residents import services as resident_services
from residents.models import TaskKind

KIND = "rental_home"
OVERCROWDING_CHECK_DAYS = 3  # working days
MAX_AREA = Decimal("99999.99")


def case_detail_url(case: Case) -> str:
    return reverse("housing:review_home", args=[case.pk])


def issued_link(case: Case) -> tuple[str, str] | None:
    """What an approved rental-home case produced: the registered home, where tenants are declared."""
    home = RentalHome.objects.filter(case=case).only("pk").first()
    if home is None:
        return None
    return _("The registered rental home"), _home_link(home)


def _home_link(home: RentalHome) -> str:
    return reverse("housing:home", args=[home.pk])


def _positive_int(value: object, field: str, errors: dict[str, list[str]], *, most: int) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= most:
        errors[field] = [_("Please enter a whole number from 1 to %(most)s.") % {"most": most}]
    return number


def _clean_home(
    *,
    owner_name: str,
    property_certificate: str,
    rooms: object,
    floor_area: object,
    max_occupants: object,
) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict = {
        "owner_name": (owner_name or "").strip(),
        "property_certificate": (property_certificate or "").strip(),
    }
    if not clean["owner_name"]:
        errors["owner_name"] = [_("Please enter the owner's name as on the property certificate.")]
    elif len(clean["owner_name"]) > 50:
        errors["owner_name"] = [_("A name has at most 50 characters.")]
    if not clean["property_certificate"]:
        errors["property_certificate"] = [_("Please enter the property certificate number.")]
    elif len(clean["property_certificate"]) > 40:
        errors["property_certificate"] = [_("At most 40 characters.")]
    clean["rooms"] = _positive_int(rooms, "rooms", errors, most=50)
    clean["max_occupants"] = _positive_int(max_occupants, "max_occupants", errors, most=200)
    try:
        area = Decimal(str(floor_area)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        area = Decimal(0)
    if not Decimal(0) < area <= MAX_AREA:
        errors["floor_area"] = [_("Please enter the floor area in square metres.")]
    clean["floor_area"] = area
    if errors:
        raise InvalidInput(fields=errors)
    return clean


def create_rental_home(
    *,
    actor: User,
    grid_id: int,
    road: str,
    number: str,
    building: str = "",
    unit: str = "",
    room: str = "",
    owner_name: str,
    property_certificate: str,
    rooms: object,
    floor_area: object,
    max_occupants: object,
) -> RentalHome:
    """A landlord starts registering a home for letting (a draft; submit sends it for the check).

    The address is the standard address at those coordinates (created if new). Refused: an
    address already on the register, and any detail missing or out of range (all listed at once).
    """
    if not actor.is_authenticated or not actor.has_role(Role.LANDLORD):
        raise NotAllowed(_("Only landlords can register homes for letting."))
    errors: dict[str, list[str]] = {}
    try:
        clean = _clean_home(
            owner_name=owner_name,
            property_certificate=property_certificate,
            rooms=rooms,
            floor_area=floor_area,
            max_occupants=max_occupants,
        )
    except InvalidInput as exc:
        errors.update(exc.fields)
        clean = {}
    grid = Area.objects.filter(pk=grid_id, level=Level.GRID).select_related("district").first()
    if grid is None:
        errors["grid"] = [_("Please choose the grid (community area) of the home.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        address = area_services.create_address(
            grid=grid, road=road, number=number, building=building, unit=unit, room=room
        )
        if RentalHome.objects.filter(address=address, is_active=True).exists():
            raise _already_registered()
        case = workflow.create_case(
            kind=KIND, applicant=actor, district=grid.district, subject=address.text, actor=actor
        )
        try:
            with transaction.atomic():
                return RentalHome.objects.create(
                    case=case, landlord=actor, address=address, **clean
                )
        except IntegrityError:
            raise _already_registered() from None


def _already_registered() -> InvalidInput:
    message = _("This address is already registered for letting.")
    return InvalidInput(message, code="already_registered", fields={"address": [message]})


def _own(actor: User, home_id: int) -> RentalHome:
    home = selectors.homes_of_landlord(actor).filter(pk=home_id).first()
    if home is None:
        raise NotFound()
    return home


def submit_rental_home(*, actor: User, home_id: int) -> RentalHome:
    """The landlord sends the registration for the safety check (or again, after a return)."""
    home = _own(actor, home_id)
    workflow.submit_case(case_id=home.case_id, actor=actor)
    return _own(actor, home_id)


def withdraw_rental_home(*, actor: User, home_id: int, reason: str = "") -> RentalHome:
    """The landlord withdraws a registration nobody has taken up; it leaves the register."""
    home = _own(actor, home_id)
    workflow.withdraw_case(case_id=home.case_id, actor=actor, reason=reason)
    return _own(actor, home_id)


def _reviewable(actor: User, home_id: int) -> RentalHome:
    home = selectors.homes_reviewable_by(actor).filter(pk=home_id).first()
    if home is None:
        raise NotFound()
    return home


def accept_rental_home(*, actor: User, home_id: int) -> RentalHome:
    """A housing reviewer of the home's district takes the safety check up (受理)."""
    home = _reviewable(actor, home_id)
    workflow.start_review(case_id=home.case_id, actor=actor)
    return _reviewable(actor, home_id)


def approve_rental_home(*, actor: User, home_id: int, reason: str = "") -> RentalHome:
    """The safety check passed: the home may be let and tenants declared."""
    home = _reviewable(actor, home_id)
    workflow.approve_case(case_id=home.case_id, actor=actor, reason=reason)
    return _reviewable(actor, home_id)


def reject_rental_home(*, actor: User, home_id: int, reason: str) -> RentalHome:
    """The home may not be let (for example a safety hazard); the reason goes to the landlord."""
    home = _reviewable(actor, home_id)
    workflow.reject_case(case_id=home.case_id, actor=actor, reason=reason)
    return _reviewable(actor, home_id)


def return_rental_home(*, actor: User, home_id: int, reason: str) -> RentalHome:
    """Back to the landlord to correct, with everything to fix listed at once (一次性告知)."""
    home = _reviewable(actor, home_id)
    workflow.return_case(case_id=home.case_id, actor=actor, reason=reason)
    return _reviewable(actor, home_id)


# --- hooks of the "rental_home" kind (inside the transition's transaction) ------------------------


def _home_of(case: Case) -> RentalHome:
    return (
        RentalHome.objects.select_related("address").select_for_update(of=("self",)).get(case=case)
    )


def on_submit(*, case: Case, actor: User) -> None:
    home = _home_of(case)
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Rental home registration received: %(reference)s") % {"reference": case.reference},
            _("The housing department will check %(address)s.") % {"address": home.address.text},
        ),
        link=_home_link(home),
    )


def on_approve(*, case: Case, actor: User) -> None:
    home = _home_of(case)
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Rental home approved: %(reference)s") % {"reference": case.reference},
            _("%(address)s may be let. Declare each tenant within 7 days of moving in.")
            % {"address": home.address.text},
        ),
        link=_home_link(home),
    )


def _leave_register(case: Case, title: str) -> None:
    home = _home_of(case)
    home.is_active = False
    home.save(update_fields=["is_active"])
    reason = case.last_reason
    notify_after_commit(
        case.applicant,
        lambda: (title % {"reference": case.reference}, reason),
        link=_home_link(home),
    )


def on_reject(*, case: Case, actor: User) -> None:
    _leave_register(case, _("Rental home not approved: %(reference)s"))


def on_withdraw(*, case: Case, actor: User) -> None:
    _leave_register(case, _("Rental home registration withdrawn: %(reference)s"))


def on_return(*, case: Case, actor: User) -> None:
    home = _home_of(case)
    reason = case.last_reason
    notify_after_commit(
        case.applicant,
        lambda: (
            _("Please correct the rental home registration: %(reference)s")
            % {"reference": case.reference},
            reason,
        ),
        link=_home_link(home),
    )


# --- overcrowding (群租) ---------------------------------------------------------------------------


def check_occupancy(*, home: RentalHome, now: dt.datetime | None = None) -> bool:
    """Flag the home when more people are registered at its address than its floor area and
    rooms allow (selectors.occupancy_limit, the overcrowding rules as data), and put a
    follow-up task on the list of its grid's officers; clear the flag when it no longer is.
    Returns whether the home is overcrowded. Raising the task again finds the open one."""
    now = now or timezone.now()
    occupants = selectors.current_occupants(home.address_id)
    limit = selectors.occupancy_limit(home, on=timezone.localdate(now))
    if occupants > limit:
        if home.overcrowded_since is None:
            home.overcrowded_since = now
            home.save(update_fields=["overcrowded_since"])
        resident_services.raise_field_task(
            kind=TaskKind.FOLLOW_UP,
            address=home.address,
            due_date=add_working_days(timezone.localdate(now), OVERCROWDING_CHECK_DAYS),
            source=selectors.FIELD_SOURCE,
            source_ref=selectors.overcrowding_task_ref(home.pk),
            note=_(
                "Possible overcrowding (群租): %(count)s people are registered at this rental "
                "home, whose floor area and rooms allow at most %(max)s (since %(date)s). "
                "Please check on site."
            )
            % {
                "count": occupants,
                "max": limit,
                "date": date_format(timezone.localdate(home.overcrowded_since)),
            },
        )
        return True
    if home.overcrowded_since is not None:
        home.overcrowded_since = None
        home.save(update_fields=["overcrowded_since"])
    return False


def flag_overcrowded_homes(*, now: dt.datetime | None = None) -> int:
    """Check every approved home that is over its maximum or flagged now (one query finds
    them); returns how many are overcrowded. Safe to run twice: flags and tasks are not repeated."""
    overcrowded = 0
    for home in selectors.homes_to_check_for_overcrowding():
        with transaction.atomic():
            locked = (
                RentalHome.objects.select_related("address")
                .select_for_update(of=("self",))
                .get(pk=home.pk)
            )
            overcrowded += check_occupancy(home=locked, now=now)
    return overcrowded
