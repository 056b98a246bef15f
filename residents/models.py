from __future__ import annotations

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
