"""Rental housing (以房管人) and affordable rental housing (保障性租赁住房).

- A RentalHome is a landlord's registered home to let, reviewed (a safety check) as a workflow
  case before it can be let; Tenancies are the tenants the landlord declares there
  (人来申报、人走注销), each resting on a residence registration with source "landlord".
- A HousingProject has HousingUnits; an ApplicationRound takes HousingApplications (workflow
  cases), ranks the approved ones (points, time of application, a committed lottery seed) and
  offers units in that order (Offers). A unit has at most one live offer or let at a time.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class OccupancyPolicy(models.Model):
    """The overcrowding (群租) rules in force from one date on: the floor area each person needs
    at least and the most people one room may house. A rental home houses at most
    `occupancy_limit(floor area, rooms)` people, whatever its landlord declares.
    The rule in force on a day is the row with the latest `effective_from` not after it.
    The figures and their source: docs/domain.md "Overcrowding".
    """

    effective_from = models.DateField(_("effective from"), unique=True)
    min_area_per_person = models.DecimalField(
        _("minimum floor area per person (m²)"), max_digits=5, decimal_places=2
    )
    max_per_room = models.PositiveSmallIntegerField(_("most people per room"))
    source = models.CharField(_("source of the rule"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("overcrowding rule")
        verbose_name_plural = _("overcrowding rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_area_per_person__gt=0) & Q(max_per_room__gte=1),
                name="occupancy_policy_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.min_area_per_person} m², {self.max_per_room}/room"

    def limit_for(self, floor_area: Decimal, rooms: int) -> int:
        """The most people a home of `floor_area` m² and `rooms` rooms may house."""
        by_area = int(Decimal(floor_area) // self.min_area_per_person)
        return max(0, min(by_area, rooms * self.max_per_room))


class RentalHome(models.Model):
    """One home a landlord registers for letting (出租房屋登记) at a standard address.

    Its safety check is a workflow case of kind "rental_home" reviewed by the housing
    department of the address's district; tenants can be declared once the case is approved.
    `is_active` is false once the registration was rejected, withdrawn or taken off the
    register: one active registration per address. `overcrowded_since` is set while more
    people are registered at the address than `max_occupants` (群租), and the grid's officer has
    been given a task to check it.
    """

    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, related_name="rental_home"
    )
    landlord = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rental_homes",
        verbose_name=_("landlord"),
    )
    address = models.ForeignKey(
        "areas.Address",
        on_delete=models.PROTECT,
        related_name="rental_homes",
        verbose_name=_("standard address"),
    )
    owner_name = models.CharField(_("owner"), max_length=50)
    property_certificate = models.CharField(_("property certificate number"), max_length=40)
    rooms = models.PositiveSmallIntegerField(_("rooms"))
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=2)
    max_occupants = models.PositiveSmallIntegerField(_("maximum number of occupants"))
    is_active = models.BooleanField(_("on the register"), default=True)
    overcrowded_since = models.DateTimeField(_("overcrowded since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rental home")
        verbose_name_plural = _("rental homes")
        constraints = [
            models.UniqueConstraint(
                fields=["address"], condition=Q(is_active=True), name="rental_home_one_per_address"
            ),
            models.CheckConstraint(condition=Q(rooms__gte=1), name="rental_home_has_rooms"),
            models.CheckConstraint(condition=Q(floor_area__gt=0), name="rental_home_has_area"),
            models.CheckConstraint(
                condition=Q(max_occupants__gte=1), name="rental_home_has_occupants"
            ),
            models.CheckConstraint(
                condition=~Q(owner_name="") & ~Q(property_certificate=""),
                name="rental_home_has_owner",
            ),
        ]
        indexes = [models.Index(fields=["landlord", "-created_at"])]

    def __str__(self) -> str:
        return str(self.address_id)


class Tenancy(models.Model):
    """One tenant living in a rental home, declared by the landlord (人来申报), until they leave (人走注销).

    The declaration creates the tenant's residence registration at the home's address (source:
    landlord), which a grid officer verifies on a field task. Ending the tenancy ends that
    registration on the same day. A person has at most one current tenancy. The tenant can
    see and confirm it (`confirmed_at`).
    """

    home = models.ForeignKey(RentalHome, on_delete=models.PROTECT, related_name="tenancies")
    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        related_name="tenancies",
        verbose_name=_("tenant"),
    )
    registration = models.ForeignKey(
        "residents.Registration",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("residence registration"),
    )
    phone = PhoneNumberField(_("mobile number"), blank=True)
    start_date = models.DateField(_("moved in"))
    end_date = models.DateField(_("moved out"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("departure declared at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by the tenant"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_date__isnull=True),
                name="tenancy_one_current_per_person",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="tenancy_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, ended_by__isnull=True, ended_at__isnull=True)
                | Q(end_date__isnull=False, ended_by__isnull=False, ended_at__isnull=False),
                name="tenancy_end_is_recorded",
            ),
        ]
        indexes = [
            models.Index(
                fields=["home"], condition=Q(end_date__isnull=True), name="tenancy_current_in"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.home_id} from {self.start_date}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


# --- affordable rental housing -----------------------------------------------------------------


class UnitType(models.TextChoices):
    STUDIO = "studio", _("Studio")
    ONE_BEDROOM = "one_bedroom", _("One bedroom")
    TWO_BEDROOM = "two_bedroom", _("Two bedrooms")
    THREE_BEDROOM = "three_bedroom", _("Three bedrooms")


class HousingProject(models.Model):
    """One affordable rental housing project (保障性租赁住房项目): a building or estate in a district."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    district = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        limit_choices_to={"level": "district"},
    )
    location = models.CharField(_("location"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("affordable housing project")
        verbose_name_plural = _("affordable housing projects")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class HousingUnit(models.Model):
    """One flat of a project, with its type, floor area and monthly rent."""

    project = models.ForeignKey(HousingProject, on_delete=models.PROTECT, related_name="units")
    label = models.CharField(_("flat"), max_length=40)
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=6, decimal_places=2)
    monthly_rent = models.DecimalField(_("monthly rent (yuan)"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["project", "label"]
        verbose_name = _("housing unit")
        verbose_name_plural = _("housing units")
        constraints = [
            models.UniqueConstraint(fields=["project", "label"], name="housing_unit_label_unique"),
            models.CheckConstraint(
                condition=Q(unit_type__in=UnitType.values), name="housing_unit_type_valid"
            ),
            models.CheckConstraint(condition=Q(floor_area__gt=0), name="housing_unit_has_area"),
            models.CheckConstraint(condition=Q(monthly_rent__gte=0), name="housing_unit_rent"),
        ]
        indexes = [models.Index(fields=["project", "unit_type"])]

    def __str__(self) -> str:
        return self.label


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open for applications")
    RANKED = "ranked", _("Ranked and published; offers made")


# The one move a round makes: ranking publishes it (and reveals its lottery seed).
ROUND_MOVES: dict[str, frozenset[str]] = {
    RoundStatus.OPEN: frozenset({RoundStatus.RANKED}),
    RoundStatus.RANKED: frozenset(),
}


def seed_hash(seed: str) -> str:
    """The published commitment to a lottery seed: its SHA-256, in hex."""
    return hashlib.sha256(seed.encode()).hexdigest()


def lottery_key(seed: str, application_id: int) -> str:
    """An application's lottery number: SHA-256 of the revealed seed, a colon and its id.

    Anyone can recompute it from the published seed; it breaks ties of points and time.
    """
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


class ApplicationRound(models.Model):
    """One application round of a project (申请批次): dates, the points needed, the offer deadline.

    The lottery seed is drawn when the round is opened; only its hash (`seed_hash`) is
    published until ranking, when the seed itself is revealed, so anyone can check that the
    tie-breaking was fixed before the applications were known.
    """

    project = models.ForeignKey(HousingProject, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("name"), max_length=100)
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("applications close"))
    min_points = models.DecimalField(
        _("minimum points (housing)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    offer_days = models.PositiveSmallIntegerField(_("days to answer an offer"), default=7)
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    seed = models.CharField(max_length=64, editable=False)
    seed_hash = models.CharField(_("lottery seed commitment (SHA-256)"), max_length=64)
    ranked_at = models.DateTimeField(_("ranked at"), null=True, blank=True)
    ranked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    objection_until = models.DateField(
        _("ranking open to objections until"),
        null=True,
        blank=True,
        help_text=_("The last day of the publication (公示) window, in the rules' working days."),
    )
    tie_break = models.JSONField(
        _("tie-breaks used"),
        default=list,
        blank=True,
        help_text=_("The rule set's tie-breaks the ranking used, after the points."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("application round")
        verbose_name_plural = _("application rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="housing_round_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="housing_round_closes_after_open"
            ),
            models.CheckConstraint(condition=Q(offer_days__gte=1), name="housing_round_offer_days"),
            models.CheckConstraint(
                condition=Q(status=RoundStatus.OPEN, ranked_at__isnull=True)
                | Q(status=RoundStatus.RANKED, ranked_at__isnull=False),
                name="housing_round_ranked_has_date",
            ),
            models.CheckConstraint(
                condition=Q(seed_hash__regex=r"^[0-9a-f]{64}$"), name="housing_round_seed_hash"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def revealed_seed(self) -> str:
        """The seed, once the ranking is published; empty before."""
        return self.seed if self.status == RoundStatus.RANKED else ""


class RoundUnitType(models.Model):
    """A unit type a round offers, and the household sizes it fits (a rule of the round)."""

    round = models.ForeignKey(ApplicationRound, on_delete=models.CASCADE, related_name="unit_types")
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices)
    min_household = models.PositiveSmallIntegerField(_("smallest household"))
    max_household = models.PositiveSmallIntegerField(_("largest household"))

    class Meta:
        ordering = ["round", "min_household"]
        verbose_name = _("unit type of a round")
        verbose_name_plural = _("unit types of a round")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit_type"], name="round_unit_type_once"),
            models.CheckConstraint(
                condition=Q(unit_type__in=UnitType.values), name="round_unit_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_household__gte=1) & Q(max_household__gte=F("min_household")),
                name="round_unit_type_household_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_type} {self.min_household}-{self.max_household}"


class HousingApplication(models.Model):
    """One household's application in a round (保障性租赁住房申请), on the shared lifecycle.

    The lifecycle status lives on the workflow case. `points` and `applied_at` are fixed at
    submission (the housing score then, the time of application); `lottery_key` and `rank`
    are written when the round is ranked, for approved applications only.
    """

    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, related_name="housing_application"
    )
    round = models.ForeignKey(
        ApplicationRound, on_delete=models.PROTECT, related_name="applications"
    )
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="housing_applications"
    )
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices)
    household_size = models.PositiveSmallIntegerField(_("people in the household"))
    owns_home_in_city = models.BooleanField(_("owns a home in the city"), default=False)
    points = models.DecimalField(
        _("housing points"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    applied_at = models.DateTimeField(_("time of application"), null=True, blank=True)
    lottery_key = models.CharField(_("lottery number"), max_length=64, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["round", "rank", "id"]
        verbose_name = _("affordable housing application")
        verbose_name_plural = _("affordable housing applications")
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="housing_application_once"),
            models.UniqueConstraint(
                fields=["round", "rank"],
                condition=Q(rank__isnull=False),
                name="housing_application_rank_unique",
            ),
            models.CheckConstraint(
                condition=Q(unit_type__in=UnitType.values), name="housing_application_unit_type"
            ),
            models.CheckConstraint(
                condition=Q(household_size__gte=1), name="housing_application_household"
            ),
        ]
        indexes = [models.Index(fields=["round", "unit_type", "rank"])]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.person_id}"


class RankingObjection(models.Model):
    """An applicant's objection to their place in a round's published ranking (公示 异议), and
    the housing department's answer. No unit is offered while one is unanswered."""

    application = models.ForeignKey(
        HousingApplication, on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField(_("objection"))
    raised_at = models.DateTimeField(_("raised at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = _("ranking objection")
        verbose_name_plural = _("ranking objections")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="housing_objection_has_text"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="housing_objection_answer_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} at {self.raised_at:%Y-%m-%d}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered: waiting for an answer")
    ACCEPTED = "accepted", _("Accepted: let")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Lapsed: no answer by the deadline")


# An offer is answered once: accepted, declined, or it lapses at its deadline.
OFFER_MOVES: dict[str, frozenset[str]] = {
    OfferStatus.OFFERED: frozenset(
        {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.LAPSED}
    ),
    OfferStatus.ACCEPTED: frozenset(),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.LAPSED: frozenset(),
}
LIVE_OFFER = (OfferStatus.OFFERED, OfferStatus.ACCEPTED)


class AllocationRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class AllocationRun(models.Model):
    """One allocation of a ranked round's free units: a resumable run (portal.runs).

    The pairs of units and households are computed in memory (housing.allocation), then written
    in chunks (`checkpoint` counts them); an offer carries its run, unique per run and
    application, so a chunk written again adds nothing. Households see the run's offers and are
    told only once it is done; a worker lost mid-run stops beating and beat hands it back.
    """

    round = models.ForeignKey(
        ApplicationRound, on_delete=models.PROTECT, related_name="allocation_runs"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AllocationRunStatus.choices,
        default=AllocationRunStatus.RUNNING,
    )
    offered_at = models.DateTimeField(_("offers made at"))
    checkpoint = models.PositiveIntegerField(_("chunks written"), default=0)
    offers_made = models.PositiveIntegerField(_("offers made"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AllocationRunStatus.values),
                name="housing_allocation_run_status_valid",
            ),
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(status=AllocationRunStatus.RUNNING),
                name="housing_allocation_run_one_running_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.started_at:%Y-%m-%d %H:%M}: {self.offers_made}"


# Audit of answers and lapses, by a service or a set-based UPDATE alike (django-pghistory).
@pghistory.track(
    pghistory.UpdateEvent(
        "status_changed", condition=pghistory.AnyChange("status", "decided_at", "decided_by")
    ),
    fields=["status", "decided_at", "decided_by"],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="OfferStatusEvent",
)
class Offer(models.Model):
    """One unit offered to one ranked application, answered before `deadline`.

    The row is its own history: when it was made, how it was answered, when and by whom.
    A unit has at most one live offer or let (offered or accepted), and so has an application
    (partial unique constraints): no unit is ever offered or let to two households.
    """

    unit = models.ForeignKey(HousingUnit, on_delete=models.PROTECT, related_name="offers")
    application = models.ForeignKey(
        HousingApplication, on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    offered_at = models.DateTimeField(pgettext_lazy("affordable housing", "offered at"))
    deadline = models.DateTimeField(_("answer by"))
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    announced_at = models.DateTimeField(_("household told at"), null=True, blank=True)
    # The allocation run that made it (none: a unit passed on after a decline or a lapse).
    run = models.ForeignKey(
        AllocationRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        db_index=False,
    )

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = pgettext_lazy("affordable housing", "offer")
        verbose_name_plural = pgettext_lazy("affordable housing", "offers")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "application"], name="offer_once_per_run_and_application"
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=LIVE_OFFER),
                name="offer_one_live_per_unit",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=LIVE_OFFER),
                name="offer_one_live_per_application",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="offer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=OfferStatus.OFFERED, decided_at__isnull=True)
                | (~Q(status=OfferStatus.OFFERED) & Q(decided_at__isnull=False)),
                name="offer_answer_has_time",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("offered_at")), name="offer_deadline_after_offer"
            ),
        ]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(status=OfferStatus.OFFERED),
                name="offer_waiting_by_deadline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} -> {self.application_id} ({self.status})"
