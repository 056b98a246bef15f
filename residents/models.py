from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField
from phonenumber_field.modelfields import PhoneNumberField


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
    GRID_OFFICER = "grid_officer", _("Grid officer")
    EMPLOYER = "employer", _("Employer")


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
        ]
        indexes = [
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
    for a year, endorsement in the month before each anniversary.
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


# Accepted upload types: content type -> the file name endings that may carry it.
UPLOAD_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
}
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})


class Material(models.Model):
    """One uploaded file of an application (a photo, a proof), stored outside the web root.

    `path` is relative to settings.UPLOAD_ROOT; the type was read from the content.
    """

    application = models.ForeignKey(
        PermitApplication, on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("kind of material"), max_length=10, choices=MaterialKind.choices)
    content_type = models.CharField(_("file type"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["kind", "uploaded_at", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MaterialKind.values), name="material_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=list(UPLOAD_TYPES)), name="material_type_valid"
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

    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired: endorsement overdue")
    CANCELLED = "cancelled", _("Cancelled")


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
        if self.status == PermitStatus.CANCELLED:
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
