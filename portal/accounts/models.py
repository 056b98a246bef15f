from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    LANDLORD = "landlord", _("Landlord")
    EMPLOYER = "employer", _("Employer")
    GRID_OFFICER = "grid_officer", _("Grid officer")
    REVIEWER = "reviewer", _("Reviewer")
    ANALYST = "analyst", _("Analyst")
    LEADER = "leader", _("Leader (read-only figures)")
    ADMINISTRATOR = "administrator", _("Administrator")


class DepartmentCode(models.TextChoices):
    PUBLIC_SECURITY = "public_security", _("Public security")
    HOUSING = "housing", _("Housing and urban-rural development")
    EDUCATION = "education", _("Education")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    SERVICE_CENTRE = "service_centre", _("New-resident service centre")


class Department(models.Model):
    """One government department whose staff review applications (公安, 住建, 教育, 人社, 新居民服务中心)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class User(AbstractUser):
    """One person who signs in: a resident, landlord, grid officer, reviewer, analyst or administrator.

    A user may hold several roles (a resident who lets a flat is also a landlord). Staff scopes
    live here too: a reviewer belongs to one department and a set of districts, a grid officer
    to a set of grids; an analyst or a leader with districts sees the figures of those only.
    Whether a user is also a registered person is decided by the residents app (a Person row
    pointing back at the user).
    """

    phone = PhoneNumberField(_("mobile number"), blank=True)
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        verbose_name=_("roles"),
        default=list,
        blank=True,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    districts = models.ManyToManyField(
        "areas.Area",
        verbose_name=_("districts reviewed"),
        blank=True,
        related_name="reviewers",
        limit_choices_to={"level": "district"},
    )
    grids = models.ManyToManyField(
        "areas.Area",
        verbose_name=_("grids served"),
        blank=True,
        related_name="officers",
        limit_choices_to={"level": "grid"},
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="user_phone_unique"
            ),
            models.CheckConstraint(
                condition=Q(roles__contained_by=Role.values), name="user_roles_valid"
            ),
            models.CheckConstraint(
                condition=~Q(roles__contains=[Role.REVIEWER]) | Q(department__isnull=False),
                name="user_reviewer_has_department",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def has_role(self, role: str) -> bool:
        return role in self.roles
