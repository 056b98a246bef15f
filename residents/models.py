from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Reverse
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField
from phonenumber_field.modelfields import PhoneNumberField

from portal.uploads import PHOTO_TYPES, StoredFile


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Education(models.TextChoices):
    NONE = "none", _("None or primary")
    JUNIOR_MIDDLE = "junior_middle", _("Junior middle school")
    SENIOR_MIDDLE = "senior_middle", _("Senior middle or technical school")
    JUNIOR_COLLEGE = "junior_college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTOR = "doctor", _("Doctor")


# Audit of edits (django-pghistory): the row before and after, without the ID ciphertext.
@pghistory.track(
    pghistory.UpdateEvent("before_edit", row=pghistory.Old),
    pghistory.UpdateEvent("after_edit", row=pghistory.New),
    exclude=["id_number", "created_at"],
    model_name="PersonEvent",
)
class Person(models.Model):
    """One natural person in the registry, identified by their resident ID number.

    The ID number is stored encrypted (`id_number`), looked up by its keyed hash (`id_hash`,
    one person per number) and shown masked (`id_masked`) to everyone not entitled to the full
    record. Birth date and sex are read from the number. A person who signs in has a `user`;
    a child registered by a guardian has none.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person",
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"), max_length=18)
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = PhoneNumberField(_("mobile number"), blank=True)
    origin_code = models.CharField(_("hukou place (division code)"), max_length=12, blank=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # A name search (residents.selectors.name_contains) is a prefix search on the name,
        # one on the reversed name, and a read of the long names: one index for each.
        indexes = [
            models.Index(OpClass("name", name="varchar_pattern_ops"), name="person_name_prefix"),
            models.Index(
                OpClass(Reverse("name"), name="text_pattern_ops"), name="person_name_suffix"
            ),
            models.Index(Length("name"), name="person_name_length"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="person_sex_valid"),
            models.CheckConstraint(
                condition=Q(education__in=[*Education.values, ""]), name="person_education_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_masked})"


class Relation(models.TextChoices):
    CHILD = "child", _("Child")
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other family member")


class Dependant(models.Model):
    """One household link: a guardian and a person they act for (a child, an elderly parent)."""

    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="dependant_links")
    dependant = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardian_links")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "dependant"], name="dependant_once"),
            models.CheckConstraint(
                condition=~Q(guardian=F("dependant")), name="dependant_not_self"
            ),
            models.CheckConstraint(
                condition=Q(relation__in=Relation.values), name="dependant_relation_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id} -> {self.dependant_id} ({self.relation})"


class Reason(models.TextChoices):
    WORK = "work", _("Work")
    STUDY = "study", _("Study")
    FAMILY = "family", _("Family")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    SELF = "self", _("Self-declared")
    LANDLORD = "landlord", _("Landlord")
    SUBLESSOR = "sublessor", _("Sub-lessor")
    GRID_OFFICER = "grid_officer", _("Grid officer")
    EMPLOYER = "employer", _("Employer")


def counted_period(
    start: dt.date, end: dt.date | None, counted_from: dt.date | None
) -> tuple[dt.date, dt.date | None] | None:
    """The period of a registration that continuous residence counts: from `counted_from` for
    an unverified late declaration, else from the start; None when nothing of it counts (it
    ended before it was declared)."""
    first = counted_from or start
    if end is not None and end <= first:
        return None
    return (first, end)


class RegistrationPolicy(models.Model):
    """The registration rules in force from one date on: how far in the past a declared start
    date may lie, per declarer (the declaration window).

    A start date older than the window is accepted as a late declaration: continuous residence
    counts from the declaration date until staff or a grid officer verify the earlier date
    with evidence. Windows count working days (portal.calendar) unless `calendar_days`.
    The rule in force on a day is the row with the latest `effective_from` not after it.
    The figures and their sources: docs/domain.md "Registration duties".
    """

    effective_from = models.DateField(_("effective from"), unique=True)
    self_days = models.PositiveSmallIntegerField(
        _("days for a resident's own declaration"), default=30
    )
    landlord_days = models.PositiveSmallIntegerField(
        _("days for a landlord's declaration"), default=7
    )
    sublessor_days = models.PositiveSmallIntegerField(
        _("days for a sub-lessor's declaration"), default=3
    )
    employer_days = models.PositiveSmallIntegerField(
        _("days for an employer's declaration"), default=7
    )
    grid_officer_days = models.PositiveSmallIntegerField(
        _("days for a grid officer's registration"), default=30
    )
    calendar_days = models.BooleanField(
        _("windows in calendar days"),
        default=False,
        help_text=_("Unticked: the windows count working days (holidays skipped)."),
    )
    source = models.CharField(_("source of the rule"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("registration policy")
        verbose_name_plural = _("registration policies")

    def __str__(self) -> str:
        return f"{self.effective_from}"

    def window_days(self, source: str) -> int:
        """The declaration window of the declarer `source` (a Source value)."""
        return {
            Source.SELF: self.self_days,
            Source.LANDLORD: self.landlord_days,
            Source.SUBLESSOR: self.sublessor_days,
            Source.EMPLOYER: self.employer_days,
            Source.GRID_OFFICER: self.grid_officer_days,
        }[source]


# Audit of every end, by a service or a set-based UPDATE alike (django-pghistory).
@pghistory.track(
    pghistory.UpdateEvent("ended", condition=pghistory.AnyChange("end_date")),
    fields=["person", "address", "start_date", "end_date"],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="RegistrationEvent",
)
class Registration(models.Model):
    """One period of residence registration (居住登记) of a person at a standard address.

    A person has at most one current registration (no end date). Moving house ends the old
    one; departure (人走注销) ends it with a date. Ended rows are the person's history.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    address = models.ForeignKey(
        "areas.Address", on_delete=models.PROTECT, related_name="registrations"
    )
    start_date = models.DateField(_("registered from"))
    end_date = models.DateField(_("registered until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    counted_from = models.DateField(
        _("counted for continuous residence from"),
        null=True,
        blank=True,
        help_text=_(
            "Set for a late declaration: the declaration date, until the start date is verified."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("residence registration")
        verbose_name_plural = _("residence registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_date__isnull=True),
                name="registration_one_current_per_person",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="registration_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=Reason.values), name="registration_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="registration_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(counted_from__isnull=True) | Q(counted_from__gt=F("start_date")),
                name="registration_counted_after_start",
            ),
        ]
        indexes = [
            # Staff lists test each person's current address (residents.selectors): answered from
            # the index alone. Built concurrently by its migration.
            models.Index(
                fields=["person"],
                include=["address"],
                condition=Q(end_date__isnull=True),
                name="reg_current_address_of_person",
            ),
            models.Index(
                fields=["address"],
                condition=Q(end_date__isnull=True),
                name="registration_current_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.address_id} from {self.start_date}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    @property
    def is_late(self) -> bool:
        """Declared after the window and not yet verified: continuity counts from `counted_from`."""
        return self.counted_from is not None

    @property
    def counted_period(self) -> tuple[dt.date, dt.date | None] | None:
        return counted_period(self.start_date, self.end_date, self.counted_from)


class RegistrationVerification(models.Model):
    """Staff or a grid officer confirmed, with evidence, the start date of a late declaration:
    from then on continuous residence counts from the start date."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="verifications"
    )
    counted_from_before = models.DateField(_("counted from before"))
    evidence = models.TextField(_("evidence"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("verified at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("start date verification")
        verbose_name_plural = _("start date verifications")
        constraints = [
            models.CheckConstraint(condition=~Q(evidence=""), name="verification_has_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} verified at {self.at:%Y-%m-%d}"


class PersonRecordAccess(models.Model):
    """One opening of a person's full record (the unmasked ID number) by a member of staff.

    Written by residents.services.open_person_record before the record is shown: who opened
    it, when, and the reason they gave.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="record_accesses")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff"),
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("opened at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("record access")
        verbose_name_plural = _("record accesses")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="record_access_has_reason"),
        ]
        indexes = [models.Index(fields=["person", "-at"]), models.Index(fields=["staff", "-at"])]

    def __str__(self) -> str:
        return f"{self.staff_id} opened {self.person_id} at {self.at:%Y-%m-%d %H:%M}"


class PermitPolicy(models.Model):
    """The residence-permit rules in force from one date on (the city's implementing rules).

    The rule in force on a day is the row with the latest `effective_from` not after it.
    Defaults follow State Council Order 663 (2016): six months of registration, a card valid
    for a year, endorsement in the month before each anniversary (docs/domain.md
    "Residence permit").
    """

    effective_from = models.DateField(_("effective from"), unique=True)
    min_residence_months = models.PositiveSmallIntegerField(
        _("months of continuous registration required"), default=6
    )
    validity_months = models.PositiveSmallIntegerField(_("months of validity"), default=12)
    endorsement_window_months = models.PositiveSmallIntegerField(
        _("months before the anniversary when endorsement opens"), default=1
    )
    continuity_gap_days = models.PositiveSmallIntegerField(
        _("days of gap between registrations still counted as continuous"), default=0
    )
    source = models.CharField(_("source of the rule"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("residence permit policy")
        verbose_name_plural = _("residence permit policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_months__gte=1) & Q(endorsement_window_months__gte=1),
                name="permit_policy_positive_periods",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.min_residence_months}m"


class Basis(models.TextChoices):
    EMPLOYMENT = "employment", _("Stable employment")
    RESIDENCE = "residence", _("Stable residence (own home or registered tenancy)")
    STUDY = "study", _("Continuous study")


class PermitApplication(models.Model):
    """One residence-permit application (居住证申领) for one person.

    The lifecycle status lives on the workflow case; this row holds the domain data: who the
    permit is for (the applicant or their dependant), the registration it rests on, and the
    declared basis (stable employment, stable residence or continuous study).
    """

    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, related_name="permit_application"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="permit_applications")
    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="permit_applications",
        verbose_name=_("residence registration"),
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    basis_detail = models.CharField(_("employer, tenancy or school"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("residence permit application")
        verbose_name_plural = _("residence permit applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(basis__in=Basis.values), name="permit_application_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} for {self.person_id}"


class MaterialKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    PROOF = "proof", _("Proof of employment, residence or study")
    OTHER = "other", _("Other material")


class Material(StoredFile):
    """One uploaded file of an application (a photo, a proof), stored outside the web root.

    `path` is relative to settings.UPLOAD_ROOT; the type was read from the content.
    """

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("kind of material"), max_length=10, choices=MaterialKind.choices)

    class Meta(StoredFile.Meta):
        ordering = ["kind", "uploaded_at", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            *StoredFile.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=MaterialKind.values), name="material_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=MaterialKind.PHOTO) | Q(content_type__in=sorted(PHOTO_TYPES)),
                name="material_photo_is_image",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"


class PermitStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    CANCELLED = "cancelled", _("Cancelled")


class PermitState(models.TextChoices):
    """What a permit is on a given day: stored status plus the date (an overdue endorsement)."""

    NOT_ISSUED = "not_issued", _("Not yet issued")
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired: endorsement overdue")
    CANCELLED = "cancelled", _("Cancelled")


class PermitQuerySet(models.QuerySet):
    """Permits by their state on a day: the set-based form of `Permit.state_on`.

    The one definition of "holds a valid permit on day D" for every selector, criterion,
    filter, fact and eligibility check: issued on or before D, endorsed up to D, and not
    cancelled by D.
    """

    def _cancelled_by(self, day: dt.date) -> Q:
        return Q(status=PermitStatus.CANCELLED) & (
            Q(cancelled_on__isnull=True) | Q(cancelled_on__lte=day)
        )

    def valid_on(self, day: dt.date) -> PermitQuerySet:
        return self.filter(issued_on__lte=day, valid_until__gte=day).exclude(
            self._cancelled_by(day)
        )

    def in_state_on(self, state: str, day: dt.date) -> PermitQuerySet:
        """The permits whose `state_on(day)` is `state`."""
        if state == PermitState.NOT_ISSUED:
            return self.filter(issued_on__gt=day)
        if state == PermitState.VALID:
            return self.valid_on(day)
        issued = self.filter(issued_on__lte=day)
        if state == PermitState.CANCELLED:
            return issued.filter(self._cancelled_by(day))
        if state == PermitState.EXPIRED:
            return issued.filter(valid_until__lt=day).exclude(self._cancelled_by(day))
        return self.none()


class Permit(models.Model):
    """One residence permit (居住证) held by one person, issued by a district's public security.

    The number (district code + year + sequence) stays the same for life, also after a reissue;
    `card_version` counts the cards printed under it, and only the newest card's QR code is
    accepted. `valid_until` is the last day before the next endorsement falls due; a permit not
    endorsed by then is expired until endorsed late. Departure cancels it.
    """

    number = models.CharField(_("permit number"), max_length=20, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="permits")
    application = models.OneToOneField(
        PermitApplication, on_delete=models.PROTECT, related_name="permit"
    )
    district = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing district"),
    )
    address = models.ForeignKey(
        "areas.Address",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("residence address at issue"),
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=PermitStatus.choices, default=PermitStatus.VALID
    )
    card_version = models.PositiveIntegerField(_("card version"), default=1)
    clock_restarted_on = models.DateField(
        _("continuous residence counted from"), null=True, blank=True
    )
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)

    objects = PermitQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("residence permit")
        verbose_name_plural = _("residence permits")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PermitStatus.values), name="permit_status_valid"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status=PermitStatus.VALID),
                name="permit_one_valid_per_person",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("issued_on")), name="permit_valid_after_issue"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=PermitStatus.VALID, cancelled_on__isnull=True)
                    | (
                        Q(status=PermitStatus.CANCELLED, cancelled_on__isnull=False)
                        & ~Q(cancel_reason="")
                    )
                ),
                name="permit_cancellation_has_date_and_reason",
            ),
            models.CheckConstraint(condition=Q(card_version__gte=1), name="permit_card_version"),
        ]
        indexes = [models.Index(fields=["district", "status", "valid_until"])]

    def __str__(self) -> str:
        return self.number

    def state_on(self, day: dt.date) -> str:
        """The permit's state on `day` (PermitQuerySet.in_state_on selects by the same rule)."""
        if day < self.issued_on:
            return PermitState.NOT_ISSUED
        if self.status == PermitStatus.CANCELLED and (
            self.cancelled_on is None or self.cancelled_on <= day
        ):
            return PermitState.CANCELLED
        if day > self.valid_until:
            return PermitState.EXPIRED
        return PermitState.VALID

    def state_label_on(self, day: dt.date) -> str:
        return PermitState(self.state_on(day)).label


class PermitEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ENDORSED = "endorsed", _("Endorsed")
    ENDORSED_LATE = "endorsed_late", _("Endorsed late (continuous residence restarts)")
    REISSUED = "reissued", _("Reissued after loss")
    CANCELLED = "cancelled", _("Cancelled")


class PermitEvent(models.Model):
    """One step in a permit's history: issue, endorsement, reissue or cancellation.

    `on` is the day it took effect; `valid_until` and `card_version` are the permit's values
    after the step.
    """

    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=PermitEventKind.choices)
    on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    card_version = models.PositiveIntegerField(_("card version"))
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("permit event")
        verbose_name_plural = _("permit events")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PermitEventKind.values), name="permit_event_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[PermitEventKind.REISSUED, PermitEventKind.CANCELLED])
                | ~Q(reason=""),
                name="permit_event_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.permit_id}: {self.kind} on {self.on}"


# --- grid officers' field work ---------------------------------------------------------------


class VisitOutcome(models.TextChoices):
    DONE = "done", _("Visited: residents checked")
    NOBODY_HOME = "nobody_home", _("Nobody home")
    REFUSED = "refused", _("Refused to answer")


class Visit(models.Model):
    """One door-to-door visit (入户走访, 敲门行动) of a grid officer at a standard address.

    `client_id` is made by the officer's device when the visit form is filled in, so a visit
    sent twice (a retry after a lost connection, a double tap) is recorded once. `visited_at`
    is when the officer was at the door; `recorded_at` when the server received it, which
    can be later for a visit kept on the phone while offline.
    """

    client_id = models.UUIDField(_("visit id on the device"), unique=True, editable=False)
    address = models.ForeignKey(
        "areas.Address",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("standard address"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="field_visits",
        verbose_name=_("grid officer"),
    )
    visited_at = models.DateTimeField(_("visited at"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=VisitOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-visited_at", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=VisitOutcome.values), name="visit_outcome_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["address", "-visited_at"], name="visit_address_recent"),
            models.Index(fields=["officer", "-visited_at"], name="visit_officer_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.address_id} {self.visited_at:%Y-%m-%d %H:%M} {self.outcome}"


class Finding(models.TextChoices):
    PRESENT = "present", _("Found living here")
    ARRIVED = "arrived", _("New arrival registered")
    MOVED_IN = "moved_in", _("Moved here from another registered address")
    DEPARTED = "departed", _("Departed: registration ended")


class VisitEntry(models.Model):
    """What one visit found about one person: present, newly arrived, moved in, or departed.

    `registration` is the registration the finding confirmed, created or ended; for a person
    who moved in, `moved_from` is the registration elsewhere that the move ended.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visit_entries")
    finding = models.CharField(_("finding"), max_length=10, choices=Finding.choices)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="visit_entries"
    )
    moved_from = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("visit finding")
        verbose_name_plural = _("visit findings")
        constraints = [
            models.UniqueConstraint(fields=["visit", "person"], name="visit_entry_once_per_person"),
            models.CheckConstraint(
                condition=Q(finding__in=Finding.values), name="visit_entry_finding_valid"
            ),
            models.CheckConstraint(
                condition=Q(finding=Finding.MOVED_IN, moved_from__isnull=False)
                | (~Q(finding=Finding.MOVED_IN) & Q(moved_from__isnull=True)),
                name="visit_entry_moved_from_only_for_moves",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.person_id} {self.finding}"


class TaskKind(models.TextChoices):
    REVISIT = "revisit", _("Revisit: nobody was home")
    VERIFY_DECLARATION = "verify_declaration", _("Verify a declaration")
    VERIFY_DISCREPANCY = "verify_discrepancy", _("Verify a data discrepancy")
    FOLLOW_UP = "follow_up", _("Follow-up asked for by a department")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a visit")
    CLOSED = "closed", _("Closed by a visit")


# The one move a field task makes: a visit closes it.
TASK_MOVES: dict[str, frozenset[str]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.CLOSED}),
    TaskStatus.CLOSED: frozenset(),
}


class FieldTask(models.Model):
    """One thing a grid officer must go and check at an address (走访任务), with a due date.

    Raised by a visit that found nobody home (a revisit), or by another part of the portal
    through residents.services.raise_field_task: a landlord's declaration to confirm, a
    discrepancy of the nightly reconciliation. `source` names the part that raised it and
    `source_ref` its own reference, so a repeat of the same request finds the open task
    instead of adding another. The officers of the address's grid see it; a visit closes it.
    """

    kind = models.CharField(_("kind of task"), max_length=20, choices=TaskKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    address = models.ForeignKey(
        "areas.Address",
        on_delete=models.PROTECT,
        related_name="field_tasks",
        verbose_name=_("standard address"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="field_tasks",
        verbose_name=_("person"),
    )
    due_date = models.DateField(_("due date"))
    source = models.CharField(_("raised by"), max_length=32)
    source_ref = models.CharField(_("reference of the raiser"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("raised at"))
    finding = models.TextField(_("what the visit found"), blank=True, default="", db_default="")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_tasks",
        verbose_name=_("closed by visit"),
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("field task")
        verbose_name_plural = _("field tasks")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TaskKind.values), name="field_task_kind"),
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="field_task_status"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="field_task_has_source"),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.OPEN, closed_at__isnull=True, closed_by__isnull=True)
                | Q(status=TaskStatus.CLOSED, closed_at__isnull=False, closed_by__isnull=False),
                name="field_task_closed_by_a_visit",
            ),
            models.UniqueConstraint(
                fields=["address", "person", "kind", "source_ref"],
                condition=Q(status=TaskStatus.OPEN),
                nulls_distinct=False,
                name="field_task_one_open_per_subject",
            ),
        ]
        indexes = [
            models.Index(
                fields=["address", "due_date"],
                condition=Q(status=TaskStatus.OPEN),
                name="field_task_open_at",
            ),
            models.Index(fields=["source", "source_ref"], name="field_task_source"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.address_id} by {self.due_date}"

    def is_overdue_on(self, day: dt.date) -> bool:
        return self.status == TaskStatus.OPEN and day > self.due_date


# --- nightly reconciliation against department feeds -----------------------------------------


class FeedKindCode(models.TextChoices):
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance payments")
    UTILITIES = "utilities", _("Water, power and gas use")
    HUKOU = "hukou", _("Hukou moves")
    HOTEL = "hotel", _("Hotel stays")
    TELECOM = "telecom", _("Phone presence by area")


class FeedFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    JSONL = "jsonl", _("JSON lines")


class FeedEncoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8"
    UTF8_SIG = "utf-8-sig", _("UTF-8 with byte-order mark")
    GB18030 = "gb18030", "GB18030"


class FeedChannel(models.TextChoices):
    ADMIN = "admin", _("Uploaded in the admin")
    API = "api", _("Sent through the API")
    FOLDER = "folder", _("Picked up from the watched folder")
    COMMAND = "command", _("Run from the command line")


class FeedUpload(models.Model):
    """One data file received from a department, kept as received under settings.UPLOAD_ROOT.

    The same content of the same kind is received once (one row per kind and SHA-256), so a
    file sent twice, by any channel, is reconciled once.
    """

    kind = models.CharField(_("kind of feed"), max_length=20, choices=FeedKindCode.choices)
    format = models.CharField(_("format"), max_length=8, choices=FeedFormat.choices)
    encoding = models.CharField(_("encoding"), max_length=12, choices=FeedEncoding.choices)
    channel = models.CharField(_("received by way of"), max_length=10, choices=FeedChannel.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    path = models.CharField(max_length=300, unique=True, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received from"),
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("data feed")
        verbose_name_plural = _("data feeds")
        constraints = [
            models.UniqueConstraint(fields=["kind", "sha256"], name="recon_feed_once_per_content"),
            models.CheckConstraint(
                condition=Q(kind__in=FeedKindCode.values), name="recon_feed_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=FeedFormat.values), name="recon_feed_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(encoding__in=FeedEncoding.values), name="recon_feed_encoding_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=FeedChannel.values), name="recon_feed_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    INTERRUPTED = "interrupted", _("Interrupted: can be resumed")
    FAILED = "failed", _("Failed: the file cannot be reconciled")
    FINISHED = "finished", _("Finished")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.INTERRUPTED)


class RunStep(models.TextChoices):
    """The last checkpoint a run committed."""

    NEW = "new", _("Not started")
    LOADED = "loaded", _("Feed loaded and checked")
    MATCHED = "matched", _("Rows matched to the registry")
    WRITTEN = "written", _("Discrepancies and tasks written")


class ReconciliationRun(models.Model):
    """One reconciliation of one feed against the registry, and its report.

    `step` is the last committed checkpoint: the feed loaded and checked (rejects recorded),
    its rows matched, then everything written in one transaction. A run that stops halfway
    resumes after its checkpoint. At most one run of a feed is active (queued, running or
    interrupted); a worker running it holds a PostgreSQL advisory lock on the feed.
    `run_on` is the day the registry is checked for, fixed when the run is created.
    """

    feed = models.ForeignKey(FeedUpload, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    step = models.CharField(
        _("last checkpoint"), max_length=10, choices=RunStep.choices, default=RunStep.NEW
    )
    run_on = models.DateField(_("registry checked for"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows_matched = models.PositiveIntegerField(_("rows matched to a person"), default=0)
    rows_matched_by_name = models.PositiveIntegerField(
        _("of which by name, birth date and address"), default=0
    )
    discrepancies_by_kind = models.JSONField(_("discrepancies by kind"), default=dict, blank=True)
    tasks_raised = models.PositiveIntegerField(_("new verification tasks"), default=0)
    seconds = models.FloatField(_("time taken (s)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="recon_run_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(step__in=RunStep.values), name="recon_run_step_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="recon_run_progress"),
            models.UniqueConstraint(
                fields=["feed"],
                condition=Q(status__in=ACTIVE_RUN_STATUSES),
                name="recon_run_one_active_per_feed",
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.FINISHED)
                | Q(step=RunStep.WRITTEN, finished_at__isnull=False),
                name="recon_run_finished_is_written",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[RunStatus.FAILED, RunStatus.INTERRUPTED]) | ~Q(error=""),
                name="recon_run_stop_has_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feed_id} #{self.pk} {self.status}"

    @property
    def discrepancy_total(self) -> int:
        return sum(self.discrepancies_by_kind.values())

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES

    @property
    def phase_label(self) -> str:
        """What the run is doing now, for its progress bar."""
        if self.status != RunStatus.RUNNING:
            return str(self.get_status_display())
        return str(RUN_PHASES[self.step])


# What a running run is doing, by its last checkpoint.
RUN_PHASES = {
    RunStep.NEW: _("Loading and checking the feed"),
    RunStep.LOADED: _("Matching rows to the registry"),
    RunStep.MATCHED: _("Writing discrepancies and tasks"),
    RunStep.WRITTEN: _("Finished"),
}


class RejectReason(models.TextChoices):
    WRONG_COLUMNS = "wrong_columns", _("Wrong number of columns")
    BAD_ENCODING = "bad_encoding", _("Not readable text in the file's encoding")
    BAD_JSON = "bad_json", _("Not a JSON object")
    MISSING_VALUE = "missing_value", _("Required value missing")
    BAD_ID_NUMBER = "bad_id_number", _("Invalid ID number")
    NO_IDENTITY = "no_identity", _("No ID number, nor name, birth date and address to match by")
    UNKNOWN_ADDRESS = "unknown_address", _("Unknown address code")
    BAD_DATE = "bad_date", _("Invalid date")
    BAD_NUMBER = "bad_number", _("Invalid number")
    BAD_CHOICE = "bad_choice", _("Value not in the list")
    BAD_DIVISION = "bad_division", _("Invalid division code")


class RejectedRow(models.Model):
    """One row of a feed that failed validation, kept for the reject report with its reason.

    `row_no` counts the file's data rows from 1 (the header and blank lines not counted);
    `column` and `value` name the first value found wrong; `raw` is the row as read.
    """

    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.CASCADE, related_name="rejected_rows"
    )
    row_no = models.PositiveIntegerField(_("row"))
    reason = models.CharField(_("reason"), max_length=20, choices=RejectReason.choices)
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    raw = models.JSONField(_("row as read"), default=dict, blank=True)

    class Meta:
        ordering = ["run", "row_no"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        constraints = [
            models.UniqueConstraint(fields=["run", "row_no"], name="recon_reject_once_per_row"),
            models.CheckConstraint(
                condition=Q(reason__in=RejectReason.values), name="recon_reject_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} row {self.row_no}: {self.reason}"


class DiscrepancyKind(models.TextChoices):
    PROBABLY_DEPARTED = "probably_departed", _("Probably departed")
    UNREGISTERED_RESIDENT = "unregistered_resident", _("Unregistered resident")
    ADDRESS_MISMATCH = "address_mismatch", _("Lives at another address than registered")
    PERMIT_EXPIRING = "permit_expiring", _("Residence permit expiring within 30 days")
    PERMIT_UNREGISTERED = "permit_unregistered", _("Permit holder no longer registered")


class Disposition(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    FALSE_POSITIVE = "false_positive", _("False positive")
    DISPUTED = "disputed", _("Disputed")
    RESOLVED_ELSEWHERE = "resolved_elsewhere", _("Resolved elsewhere")


class Discrepancy(models.Model):
    """One disagreement a run found between a feed and the registry: one kind, at one address,
    about one person (or nobody the registry knows, for an unregistered resident).

    It becomes a verification task on the list of the address's grid officers (`task`, at
    most one open per address, person and kind, shared by every run that finds it again) and
    is settled when a visit closes that task. `registered_address` is where the registry has
    the person, where that differs; `row_no` the first row of the feed that shows it and
    `rows` how many do; `observed_name` the name the feed gives.
    """

    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.CASCADE, related_name="discrepancies"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DiscrepancyKind.choices)
    address = models.ForeignKey(
        "areas.Address",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("standard address"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discrepancies",
        verbose_name=_("person"),
    )
    registered_address = models.ForeignKey(
        "areas.Address",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered address"),
    )
    row_no = models.PositiveIntegerField(_("first row"))
    rows = models.PositiveIntegerField(_("rows showing it"), default=1)
    observed_name = models.CharField(_("name in the feed"), max_length=50, blank=True)
    task = models.ForeignKey(
        FieldTask,
        on_delete=models.PROTECT,
        related_name="discrepancies",
        verbose_name=_("verification task"),
    )
    evidence = models.CharField(
        _("evidence fingerprint"), max_length=32, blank=True, default="", db_default=""
    )
    disposition = models.CharField(
        _("disposition"),
        max_length=20,
        choices=Disposition.choices,
        blank=True,
        default="",
        db_default="",
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settled by"),
    )
    settle_reason = models.TextField(_("why"), blank=True, default="", db_default="")

    class Meta:
        ordering = ["run", "kind", "address", "id"]
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "address", "person"],
                nulls_distinct=False,
                name="recon_discrepancy_once_per_run",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DiscrepancyKind.values), name="recon_discrepancy_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(disposition="", settled_at__isnull=True, settled_by__isnull=True)
                | (
                    Q(disposition__in=Disposition.values, settled_at__isnull=False)
                    & ~Q(settle_reason="")
                ),
                name="recon_discrepancy_settled_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.address_id} ({self.person_id})"

    @property
    def is_settled(self) -> bool:
        return bool(self.disposition) or self.task.status == TaskStatus.CLOSED


class InsuranceMonth(models.Model):
    """One month of a person's social insurance as the human-resources feed states it.

    Written by the reconciliation of a social-insurance feed, set-based (one UPDATE of the months
    already kept, one INSERT ... SELECT of the rest in person order; reconciliation.matching
    .record_insurance_months): `paid` when the month was paid in this city. A later feed
    stating the same month replaces the earlier statement and becomes its source. Points read
    the paid months as periods (residents.selectors.insurance_record)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="insurance_months", db_index=False
    )
    month = models.DateField(_("month"))
    paid = models.BooleanField(_("paid in this city"))
    run = models.ForeignKey(
        ReconciliationRun,
        on_delete=models.PROTECT,
        related_name="insurance_months",
        verbose_name=_("stated by the run"),
    )

    class Meta:
        ordering = ["person", "month"]
        verbose_name = _("insurance month")
        verbose_name_plural = _("insurance months")
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="insurance_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m}"


class DiscrepancySettlement(models.Model):
    """One settling of a discrepancy (history): the disposition, who, when and why.

    `registration_ended` is the registration a confirmed departure ended, naming the evidence
    in `reason`; a departure is never applied without a confirmed discrepancy or a visit.
    """

    discrepancy = models.ForeignKey(
        Discrepancy, on_delete=models.CASCADE, related_name="settlements"
    )
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("why"))
    registration_ended = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registration ended"),
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("settlement of a discrepancy")
        verbose_name_plural = _("settlements of discrepancies")
        constraints = [
            models.CheckConstraint(
                condition=Q(disposition__in=Disposition.values),
                name="recon_settlement_disposition_valid",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="recon_settlement_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.discrepancy_id}: {self.disposition}"


class SuppressedEvidence(models.Model):
    """Evidence an officer found to be a false positive: the same evidence raises nothing again.

    The same evidence is the same feed kind, discrepancy kind, address and person (or nobody)
    and the same fingerprint of the feed row that showed it (an MD5 over the row's checked
    values that carry its meaning: status, place in the city, dates, address, usage; never its
    row number), so a later row that says something new raises the discrepancy again.
    """

    feed_kind = models.CharField(_("kind of feed"), max_length=20, choices=FeedKindCode.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=DiscrepancyKind.choices)
    address = models.ForeignKey(
        "areas.Address", on_delete=models.PROTECT, related_name="+", verbose_name=_("address")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.CharField(_("evidence fingerprint"), max_length=32)
    discrepancy = models.ForeignKey(
        Discrepancy, on_delete=models.PROTECT, related_name="+", verbose_name=_("false positive")
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("suppressed evidence")
        verbose_name_plural = _("suppressed evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["feed_kind", "kind", "address", "person", "evidence"],
                nulls_distinct=False,
                name="recon_suppressed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feed_kind}/{self.kind} at {self.address_id} ({self.person_id})"


# --- the simulated city ---------------------------------------------------------------------


class SimulatedPerson(models.Model):
    """Marks a person as made by the city simulator (residents.simulation), never a real one.

    The simulator refuses a database holding persons without this mark.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="simulated"
    )
    run = models.ForeignKey(
        "SimulationRun", on_delete=models.SET_NULL, related_name="marked_persons", null=True
    )

    class Meta:
        verbose_name = _("simulated person")
        verbose_name_plural = _("simulated persons")

    def __str__(self) -> str:
        return str(self.person_id)


class SimulationRun(models.Model):
    """One run of the city simulator: its parameters, seed and size, and when it ran."""

    persons = models.PositiveIntegerField(_("persons"))
    days = models.PositiveIntegerField(_("days"))
    seed = models.BigIntegerField(_("seed"))
    params = models.JSONField(_("parameters"), default=dict)
    first_day = models.DateField(_("first simulated day"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("time taken (s)"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")

    def __str__(self) -> str:
        return f"{self.persons} x {self.days} (seed {self.seed})"


class SimulationDay(models.Model):
    """The measure of one simulated day: how close the registry is to the simulated truth."""

    run = models.ForeignKey(SimulationRun, on_delete=models.CASCADE, related_name="day_rows")
    day = models.PositiveIntegerField(_("day"))
    on = models.DateField(_("date"))
    accuracy = models.FloatField(_("accuracy"))
    missed_arrivals = models.PositiveIntegerField(_("missed arrivals"))
    stale_residents = models.PositiveIntegerField(_("stale residents"))
    wrong_addresses = models.PositiveIntegerField(_("wrong addresses"))
    departures_without_evidence = models.PositiveIntegerField(_("departures without evidence"))
    median_days_to_correct = models.FloatField(_("median days to correct"), null=True)
    tasks_per_officer_week = models.FloatField(_("tasks per officer per week"))
    false_positive_share = models.FloatField(_("false-positive share"), null=True)
    open_tasks = models.PositiveIntegerField(_("open tasks"))

    class Meta:
        ordering = ["run", "day"]
        verbose_name = _("simulated day")
        verbose_name_plural = _("simulated days")
        constraints = [
            models.UniqueConstraint(fields=["run", "day"], name="simulation_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} day {self.day}: {self.accuracy:.4f}"


# --- the permit beyond the counter: courier delivery and transfer between cities ----------------


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", _("Pick up at the counter")
    COURIER = "courier", _("Delivery by courier")


class DeliveryChoice(models.Model):
    """How the applicant wants to receive the card of one application: pick-up or courier.

    No row means pick-up. A courier delivery needs an address and a phone number (constraint).
    """

    application = models.OneToOneField(
        PermitApplication, on_delete=models.CASCADE, related_name="delivery_choice"
    )
    method = models.CharField(_("how to receive the card"), max_length=10)
    address = models.CharField(_("delivery address"), max_length=200, blank=True)
    phone = models.CharField(_("phone for the courier"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("card delivery choice")
        verbose_name_plural = _("card delivery choices")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=DeliveryMethod.values), name="delivery_choice_method_valid"
            ),
            models.CheckConstraint(
                condition=~Q(method=DeliveryMethod.COURIER) | (~Q(address="") & ~Q(phone="")),
                name="delivery_choice_courier_has_address_and_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.method}"


class DeliveryStatus(models.TextChoices):
    PRINTED = "printed", _("Card printed")
    HANDED_OVER = "handed_over", _("Handed to the courier")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned to the counter")


# The delivery's allowed moves: printed > handed to the courier > delivered | returned.
DELIVERY_MOVES: dict[str, frozenset[str]] = {
    DeliveryStatus.PRINTED: frozenset({DeliveryStatus.HANDED_OVER}),
    DeliveryStatus.HANDED_OVER: frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.RETURNED}),
    DeliveryStatus.DELIVERED: frozenset(),
    DeliveryStatus.RETURNED: frozenset(),
}


class CardDelivery(models.Model):
    """The courier delivery of one issued card (one per application that chose the courier)."""

    application = models.OneToOneField(
        PermitApplication, on_delete=models.PROTECT, related_name="card_delivery"
    )
    permit = models.ForeignKey("Permit", on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(_("status"), max_length=12, default=DeliveryStatus.PRINTED)
    waybill = models.CharField(_("waybill number"), max_length=40, blank=True)
    address = models.CharField(_("delivery address"), max_length=200)
    phone = models.CharField(_("phone for the courier"), max_length=20)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("card delivery")
        verbose_name_plural = _("card deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="card_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.PRINTED) | ~Q(waybill=""),
                name="card_delivery_waybill_once_handed_over",
            ),
            models.UniqueConstraint(
                fields=["waybill"], condition=~Q(waybill=""), name="card_delivery_waybill_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.permit_id}: {self.status}"

    def can_move_to(self, status: str) -> bool:
        return status in DELIVERY_MOVES[self.status]


class DeliverySource(models.TextChoices):
    STAFF = "staff", _("Staff")
    COURIER = "courier", _("Courier company")


class CardDeliveryEvent(models.Model):
    """One step of a card delivery: who moved it (staff or the courier's callback), from, to, why."""

    delivery = models.ForeignKey(CardDelivery, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    source = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waybill = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_status=DeliveryStatus.RETURNED) | ~Q(reason=""),
                name="card_delivery_return_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(source__in=DeliverySource.values), name="card_delivery_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.from_status} > {self.to_status}"


class CourierNonce(models.Model):
    """A nonce of an accepted courier callback: the same nonce again is a replay and refused."""

    nonce = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.nonce


class PeerCity(models.Model):
    """Another city of the province whose permits this portal recognises (转换互认).

    The portal checks a permit of that city at `verify_url`, which serves the same contract as
    this portal's `POST /api/v1/permits/verify/`, with `api_token` (a token of an account the
    peer made for this portal).
    """

    code = models.CharField(_("city code"), max_length=6, unique=True)
    name = models.CharField(_("city"), max_length=40)
    verify_url = models.URLField(_("verification API"))
    api_token = EncryptedCharField(_("API credential"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("peer city")
        verbose_name_plural = _("peer cities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TransferPolicy(models.Model):
    """How much of a permit from a peer city counts here, from one date on (the province's rule).

    A valid permit of a peer city counts as `months_recognised` months of continuous residence
    toward this city's permit (at most; never beyond the months this city requires).
    """

    effective_from = models.DateField(_("effective from"), unique=True)
    months_recognised = models.PositiveSmallIntegerField(
        _("months of residence a peer city's valid permit counts for"), default=6
    )
    source = models.CharField(_("source of the rule"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("permit transfer policy")
        verbose_name_plural = _("permit transfer policies")

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.months_recognised}m"


class PermitTransfer(models.Model):
    """A permit of a peer city, checked with that city and recognised here for one person.

    Written only after the peer city confirmed the permit valid for the person's ID number.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="permit_transfers")
    peer = models.ForeignKey(PeerCity, on_delete=models.PROTECT, related_name="transfers")
    peer_permit_number = models.CharField(_("permit number in the other city"), max_length=20)
    peer_valid_until = models.DateField(_("valid until (other city)"))
    months_recognised = models.PositiveSmallIntegerField(_("months recognised"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recognised_at = models.DateTimeField(_("recognised at"))

    class Meta:
        ordering = ["-recognised_at"]
        verbose_name = _("permit transfer")
        verbose_name_plural = _("permit transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "peer_permit_number"], name="permit_transfer_once_per_peer_permit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.peer_permit_number} -> {self.person_id}"
