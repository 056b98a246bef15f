"""School places for migrant children (随迁子女入学): schools, enrolment rounds, applications, offers.

A round is city-wide for one stage and grade. Each participating school publishes the seats it
opens to non-hukou children (RoundSchool). Families apply on the shared lifecycle
(portal.workflow), rank up to five schools in the preference window, and the round is
allocated once (schooling.allocation) with a lottery seed committed before the draw. Offers
are answered before a deadline; a declined seat passes to the next child on that school's
waiting list.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.uploads import StoredFile


class Stage(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR_MIDDLE = "junior_middle", _("Junior middle school")


# The age a child must have reached by the round's reference day (31 August), by stage.
MIN_AGE = {Stage.PRIMARY: 6, Stage.JUNIOR_MIDDLE: 12}


class School(models.Model):
    """One public school that takes migrant children, with the communities of its catchment."""

    code = models.CharField(_("school code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    district = models.ForeignKey(
        "areas.Area",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "district"},
    )
    community = models.ForeignKey(
        "areas.Area",
        verbose_name=_("community where the school stands"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "community"},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    catchment = models.ManyToManyField(
        "areas.Area",
        verbose_name=_("catchment (communities)"),
        related_name="catchment_schools",
        blank=True,
        limit_choices_to={"level": "community"},
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["district__code", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="schooling_school_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class RoundStatus(models.TextChoices):
    SETUP = "setup", _("Being prepared")
    OPEN = "open", pgettext_lazy("enrolment round status", "Open")
    ALLOCATED = "allocated", _("Places allocated")
    COMPLETED = "completed", _("Second round done")
    CLOSED = "closed", _("Closed")


ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RoundStatus.SETUP: frozenset({RoundStatus.OPEN}),
    RoundStatus.OPEN: frozenset({RoundStatus.ALLOCATED}),
    RoundStatus.ALLOCATED: frozenset({RoundStatus.COMPLETED, RoundStatus.CLOSED}),
    RoundStatus.COMPLETED: frozenset({RoundStatus.CLOSED}),
    RoundStatus.CLOSED: frozenset(),
}
DRAWN_STATUSES = frozenset({RoundStatus.ALLOCATED, RoundStatus.COMPLETED, RoundStatus.CLOSED})


class TieBreak(models.TextChoices):
    """Built-in tie-breaks after points; a points sub-score is named `sub:<name>` (higher first)."""

    PERMIT_MONTHS = "permit_months", _("Longer holding of the residence permit")
    RESIDENCE_MONTHS = "residence_months", _("Longer continuous residence")
    SUBMITTED_AT = "submitted_at", _("Earlier submission")


SUB_SCORE_PREFIX = "sub:"


def unknown_tie_breaks(names: list[str]) -> list[str]:
    """The names in a tie-break chain that are neither built in nor a points sub-score."""
    return [
        name
        for name in names
        if name not in TieBreak.values
        and not (name.startswith(SUB_SCORE_PREFIX) and len(name) > len(SUB_SCORE_PREFIX))
    ]


class EnrolmentRound(models.Model):
    """One enrolment round (积分入学) for one stage and grade in one year, city-wide.

    Holds the rules the round was run under: the windows, the age rule, the guardian's permit
    months, the points rule set and threshold, the priority categories (PriorityCategory) and
    the tie-break chain; and the lottery: the SHA-256 of the seed is published when committed,
    the seed itself only after the draw.
    """

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year of entry"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), default=1)
    min_age = models.PositiveSmallIntegerField(_("minimum age"))
    age_reference_date = models.DateField(_("age reached by"))
    application_opens = models.DateField(_("applications open"))
    application_closes = models.DateField(_("applications close"))
    preference_opens = models.DateField(_("preferences open"))
    preference_closes = models.DateField(_("preferences close"))
    offer_deadline = models.DateField(_("offers to be answered by"))
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer a waiting-list offer"), default=5
    )
    points_rule_set = models.ForeignKey(
        "points.RuleSet",
        verbose_name=_("points rule set"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Whose scores count; empty: the guardian's latest valid score."),
    )
    points_threshold = models.DecimalField(
        _("points threshold"), max_digits=7, decimal_places=2, default=0
    )
    min_permit_months = models.PositiveSmallIntegerField(
        _("months the guardian must have held a residence permit"), default=12
    )
    max_preferences = models.PositiveSmallIntegerField(_("schools a family may rank"), default=5)
    tie_breaks = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("tie-break chain after points"),
        default=list,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.SETUP
    )
    lottery_seed = models.CharField(_("lottery seed"), max_length=128, blank=True)
    lottery_seed_sha256 = models.CharField(
        _("SHA-256 of the lottery seed"), max_length=64, blank=True
    )
    seed_committed_at = models.DateTimeField(_("seed committed"), null=True, blank=True)
    seed_revealed_at = models.DateTimeField(_("seed revealed"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("allocated"), null=True, blank=True)
    second_round_at = models.DateTimeField(_("second round"), null=True, blank=True)
    results_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "stage", "name"]
        verbose_name = _("enrolment round")
        verbose_name_plural = _("enrolment rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="schooling_round_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="schooling_round_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(application_closes__gte=F("application_opens"))
                & Q(preference_opens__gte=F("application_opens"))
                & Q(preference_closes__gte=F("preference_opens"))
                & Q(preference_closes__gte=F("application_closes"))
                & Q(offer_deadline__gte=F("preference_closes")),
                name="schooling_round_windows_in_order",
            ),
            models.CheckConstraint(
                condition=Q(max_preferences__gte=1) & Q(max_preferences__lte=5),
                name="schooling_round_one_to_five_preferences",
            ),
            models.CheckConstraint(
                condition=Q(points_threshold__gte=0), name="schooling_round_threshold_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(lottery_seed_sha256="")
                | Q(lottery_seed_sha256__regex=r"^[0-9a-f]{64}$"),
                name="round_seed_hash_is_sha256",
            ),
            models.CheckConstraint(
                condition=Q(lottery_seed_sha256="", seed_committed_at__isnull=True)
                | (~Q(lottery_seed_sha256="") & Q(seed_committed_at__isnull=False)),
                name="schooling_round_seed_commit_has_hash_and_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(DRAWN_STATUSES))
                | Q(seed_revealed_at__isnull=False, allocated_at__isnull=False),
                name="schooling_round_drawn_has_revealed_seed",
            ),
            models.CheckConstraint(
                condition=Q(seed_revealed_at__isnull=True) | Q(seed_committed_at__isnull=False),
                name="schooling_round_revealed_after_commit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def can_move_to(self, status: str) -> bool:
        return status in ROUND_TRANSITIONS[self.status]

    def application_window_open(self, day) -> bool:
        return self.status == RoundStatus.OPEN and (
            self.application_opens <= day <= self.application_closes
        )

    def preference_window_open(self, day) -> bool:
        return self.status == RoundStatus.OPEN and (
            self.preference_opens <= day <= self.preference_closes
        )

    @property
    def is_drawn(self) -> bool:
        return self.status in DRAWN_STATUSES

    @property
    def revealed_seed(self) -> str:
        """The seed, once revealed after the draw; empty before."""
        return self.lottery_seed if self.seed_revealed_at else ""


class TenureRule(models.TextChoices):
    OWNED = "owned", _("Owns the home")
    RENTED = "rented", _("Rents the home (registered tenancy)")
    ANY = "any", _("Any housing")


class PriorityCategory(models.Model):
    """One priority category of a round (Shenzhen-style: housing in the catchment), 1 first.

    A child's category at a school is the first category whose conditions hold there: the
    family's housing (`tenure`) and whether the home lies in the school's catchment. Those
    meeting none come after every category.
    """

    round = models.ForeignKey(EnrolmentRound, on_delete=models.CASCADE, related_name="categories")
    rank = models.PositiveSmallIntegerField(_("rank"))
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("label in English"), max_length=100, blank=True)
    tenure = models.CharField(_("housing"), max_length=8, choices=TenureRule.choices)
    in_catchment = models.BooleanField(_("home in the school's catchment"), default=True)

    class Meta:
        ordering = ["round", "rank"]
        verbose_name = _("priority category")
        verbose_name_plural = _("priority categories")
        constraints = [
            models.UniqueConstraint(fields=["round", "rank"], name="schooling_category_rank_once"),
            models.CheckConstraint(
                condition=Q(rank__gte=1), name="schooling_category_rank_positive"
            ),
            models.CheckConstraint(
                condition=Q(tenure__in=TenureRule.values), name="schooling_category_tenure_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.label}"

    @property
    def display_label(self) -> str:
        if self.label_en and (get_language() or "").startswith("en"):
            return self.label_en
        return self.label


def category_at(categories: list[PriorityCategory], *, tenure: str, in_catchment: bool) -> int:
    """The rank of the first category whose conditions hold; after all of them if none does."""
    for category in sorted(categories, key=lambda c: c.rank):
        if category.tenure not in (TenureRule.ANY, tenure):
            continue
        if category.in_catchment and not in_catchment:
            continue
        return category.rank
    return max((c.rank for c in categories), default=0) + 1


class RoundSchool(models.Model):
    """One school's part in a round: the seats open to non-hukou children, and its results.

    The results are written by the allocation: how many children listed the school, how many
    it admitted in each round, and its cutoff (the lowest admitted key: category, place in
    the round's order, and that child's points and lottery number).
    """

    round = models.ForeignKey(EnrolmentRound, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="rounds")
    seats = models.PositiveIntegerField(_("seats for non-hukou children"))
    applicants = models.PositiveIntegerField(_("applicants who listed it"), default=0)
    admitted = models.PositiveIntegerField(_("admitted in the first round"), default=0)
    admitted_second = models.PositiveIntegerField(_("placed in the second round"), default=0)
    cutoff_category = models.PositiveSmallIntegerField(_("cutoff category"), null=True, blank=True)
    cutoff_rank = models.PositiveIntegerField(_("cutoff place in the order"), null=True, blank=True)
    cutoff_points = models.DecimalField(
        _("cutoff points"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    cutoff_lottery = models.BigIntegerField(_("cutoff lottery number"), null=True, blank=True)

    class Meta:
        ordering = ["round", "school__district__code", "school__code"]
        verbose_name = _("school in a round")
        verbose_name_plural = _("schools in a round")
        constraints = [
            models.UniqueConstraint(fields=["round", "school"], name="schooling_round_school_once"),
            models.CheckConstraint(
                condition=Q(cutoff_rank__isnull=True)
                | Q(cutoff_category__isnull=False, cutoff_points__isnull=False),
                name="schooling_round_school_cutoff_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} ({self.seats})"


class Tenure(models.TextChoices):
    OWNED = "owned", _("Owned home")
    RENTED = "rented", _("Rented home (registered tenancy)")
    OTHER = "other", _("Other (lodging with employer, relatives)")


class EnrolmentApplication(models.Model):
    """One application for a school place for one child in one round, filed by a guardian.

    The lifecycle status lives on the workflow case. `home_community` is where the family is
    registered; `tenure` is the declared housing, proved by the household material. Points,
    sub-scores and months are read at submission (schooling.eligibility); the draw's place in
    the order and lottery number are its DrawEntry. `active` is false once withdrawn or rejected,
    so a child has at most one active application per round.
    """

    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, related_name="enrolment_application"
    )
    round = models.ForeignKey(EnrolmentRound, on_delete=models.PROTECT, related_name="applications")
    child = models.ForeignKey(
        "residents.Person",
        verbose_name=_("child"),
        on_delete=models.PROTECT,
        related_name="enrolment_applications",
    )
    guardian = models.ForeignKey(
        "residents.Person",
        verbose_name=_("guardian"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    home_community = models.ForeignKey(
        "areas.Area",
        verbose_name=_("home community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    tenure = models.CharField(_("housing"), max_length=8, choices=Tenure.choices)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, null=True, blank=True)
    sub_scores = models.JSONField(_("sub-scores"), default=dict, blank=True)
    permit_months = models.PositiveSmallIntegerField(
        _("months the guardian's permit is held"), null=True, blank=True
    )
    residence_months = models.PositiveSmallIntegerField(
        _("months of continuous residence"), null=True, blank=True
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("school place application")
        verbose_name_plural = _("school place applications")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "child"],
                condition=Q(active=True),
                name="schooling_enrolment_one_active_per_child_and_round",
            ),
            models.CheckConstraint(
                condition=Q(tenure__in=Tenure.values), name="schooling_enrolment_tenure_valid"
            ),
            models.CheckConstraint(
                condition=~Q(child=F("guardian")), name="schooling_enrolment_child_not_guardian"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.child_id} in {self.round_id}"


class DrawEntry(models.Model):
    """One child in a drawn round: their place in the round's order and their lottery number.

    Written once by the draw (COPY), for every application that took part. The order is points
    descending, then the round's tie-breaks, then the lottery number (lower first).
    """

    application = models.OneToOneField(
        EnrolmentApplication, on_delete=models.PROTECT, primary_key=True, related_name="draw"
    )
    round = models.ForeignKey(EnrolmentRound, on_delete=models.PROTECT, related_name="+")
    order_rank = models.PositiveIntegerField(_("place in the round's order"))
    lottery_number = models.BigIntegerField(_("lottery number"))

    class Meta:
        verbose_name = _("draw entry")
        verbose_name_plural = _("draw entries")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "order_rank"], name="schooling_draw_entry_rank_once"
            ),
            models.CheckConstraint(
                condition=Q(order_rank__gte=1), name="schooling_draw_entry_rank_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: #{self.order_rank}"


class Preference(models.Model):
    """One school a family ranked for their child (1 = most wanted), with the child's category there.

    The category is fixed when the list is saved, from the family's housing and the school's
    catchment, so the family sees what the draw will use.
    """

    application = models.ForeignKey(
        EnrolmentApplication, on_delete=models.CASCADE, related_name="preferences"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    category = models.PositiveSmallIntegerField(_("priority category"))

    class Meta:
        ordering = ["application", "rank"]
        verbose_name = _("school preference")
        verbose_name_plural = _("school preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "rank"], name="schooling_preference_rank_once"
            ),
            models.UniqueConstraint(
                fields=["application", "school"], name="schooling_preference_school_once"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=5),
                name="schooling_preference_rank_one_to_five",
            ),
            models.CheckConstraint(
                condition=Q(category__gte=1), name="schooling_preference_category_positive"
            ),
        ]
        indexes = [models.Index(fields=["school", "category"])]

    def __str__(self) -> str:
        return f"{self.application_id}#{self.rank}: {self.school_id}"


class MaterialKind(models.TextChoices):
    VACCINATION = "vaccination", _("Vaccination certificate")
    HOUSEHOLD = "household", _("Household proof (hukou booklet, birth certificate)")
    HOUSING = "housing", _("Housing proof (deed or registered tenancy)")


REQUIRED_MATERIALS = (MaterialKind.VACCINATION, MaterialKind.HOUSEHOLD)


class Material(StoredFile):
    """One uploaded file of an enrolment application, stored outside the web root.

    `path` is relative to settings.UPLOAD_ROOT; the type was read from the content.
    """

    application = models.ForeignKey(
        EnrolmentApplication, on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("kind of material"), max_length=12, choices=MaterialKind.choices)

    class Meta(StoredFile.Meta):
        ordering = ["kind", "uploaded_at", "id"]
        verbose_name = _("enrolment material")
        verbose_name_plural = _("enrolment materials")
        constraints = [
            *StoredFile.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=MaterialKind.values),
                name="schooling_enrolment_material_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"


class OfferPhase(models.TextChoices):
    FIRST = "first", _("First round")
    WAITING_LIST = "waiting_list", _("Waiting list")
    SECOND = "second", _("Second round")


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered, awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Not answered in time")
    RELEASED = "released", _("Given up for a better place")


OFFER_TRANSITIONS: dict[str, frozenset[str]] = {
    OfferStatus.OFFERED: frozenset(
        {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.RELEASED}
    ),
    OfferStatus.ACCEPTED: frozenset({OfferStatus.RELEASED}),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.EXPIRED: frozenset(),
    OfferStatus.RELEASED: frozenset(),
}
# An offer in these statuses holds its seat.
LIVE_OFFER = frozenset({OfferStatus.OFFERED, OfferStatus.ACCEPTED})


class Offer(models.Model):
    """One seat offered to one child: seat `seat_no` of a school in a round.

    A seat is held by at most one live offer (offered or accepted), by constraint: a seat given
    up passes to the next child with the same number, never to two. A child accepts at most
    one seat.
    """

    round = models.ForeignKey(EnrolmentRound, on_delete=models.PROTECT, related_name="offers")
    application = models.ForeignKey(
        EnrolmentApplication, on_delete=models.PROTECT, related_name="offers"
    )
    place = models.ForeignKey(RoundSchool, on_delete=models.PROTECT, related_name="offers")
    seat_no = models.PositiveIntegerField(_("seat number"))
    phase = models.CharField(_("phase"), max_length=12, choices=OfferPhase.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    distance_km = models.DecimalField(
        _("distance from home (km)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    offered_at = models.DateTimeField(_("offered at"))
    deadline = models.DateField(_("answer by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="schooling_offer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=OfferPhase.values), name="schooling_offer_phase_valid"
            ),
            models.CheckConstraint(
                condition=Q(seat_no__gte=1), name="schooling_offer_seat_no_positive"
            ),
            models.UniqueConstraint(
                fields=["place", "seat_no"],
                condition=Q(status__in=sorted(LIVE_OFFER)),
                name="schooling_offer_one_live_holder_per_seat",
            ),
            models.UniqueConstraint(
                fields=["application", "place"],
                condition=Q(status__in=sorted(LIVE_OFFER)),
                name="schooling_offer_one_live_per_school",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status=OfferStatus.ACCEPTED),
                name="schooling_offer_one_accepted_per_child",
            ),
            # A draw (first or second round) offers a child one seat: a chunk of the draw
            # written again adds nothing (INSERT ... ON CONFLICT DO NOTHING).
            models.UniqueConstraint(
                fields=["application", "phase"],
                condition=Q(phase__in=[OfferPhase.FIRST, OfferPhase.SECOND]),
                name="schooling_offer_once_per_draw",
            ),
            models.CheckConstraint(
                condition=Q(status=OfferStatus.OFFERED, answered_at__isnull=True)
                | (~Q(status=OfferStatus.OFFERED) & Q(answered_at__isnull=False)),
                name="schooling_offer_answer_time_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["application", "status"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.place_id}#{self.seat_no} -> {self.application_id} ({self.status})"

    def can_move_to(self, status: str) -> bool:
        return status in OFFER_TRANSITIONS[self.status]

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_OFFER


class OfferEvent(models.Model):
    """One step in an offer's history after it was made: who moved it, from what to what, why, when."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=OfferStatus.choices)
    to_status = models.CharField(max_length=10, choices=OfferStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.offer_id}: {self.from_status} -> {self.to_status}"


class AllocationRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class AllocationRun(models.Model):
    """One run of the allocation of a round (first or second round): who ran it, with what, results.

    The first round is a resumable run (portal.runs): computed in memory, written in chunks,
    `checkpoint` counting the chunks written; the round becomes "allocated" only when the
    run has written everything. A worker lost mid-run stops beating and beat hands the run back.
    """

    round = models.ForeignKey(EnrolmentRound, on_delete=models.PROTECT, related_name="runs")
    phase = models.CharField(_("phase"), max_length=12, choices=OfferPhase.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    seed_sha256 = models.CharField(max_length=64, blank=True)
    applicants = models.PositiveIntegerField(_("applicants"), default=0)
    placed = models.PositiveIntegerField(_("placed"), default=0)
    match_seconds = models.FloatField(_("matching time (s)"), default=0)
    total_seconds = models.FloatField(_("total time (s)"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AllocationRunStatus.choices,
        default=AllocationRunStatus.DONE,
    )
    checkpoint = models.PositiveIntegerField(_("chunks written"), default=0)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "phase"], name="schooling_allocation_run_once_per_phase"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=[OfferPhase.FIRST, OfferPhase.SECOND]),
                name="schooling_allocation_run_phase_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AllocationRunStatus.values),
                name="schooling_allocation_run_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.phase}: {self.placed}/{self.applicants}"
