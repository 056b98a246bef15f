from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street or town")
    COMMUNITY = "community", _("Community or village")
    GRID = "grid", _("Grid")


# The level a parent must have, for each level.
PARENT_LEVEL = {
    Level.DISTRICT: Level.CITY,
    Level.STREET: Level.DISTRICT,
    Level.COMMUNITY: Level.STREET,
    Level.GRID: Level.COMMUNITY,
}


class Area(models.Model):
    """One administrative area: a city, district, street or town, community or village, or grid.

    City to community carry their 12-digit statistical division code (统计用区划代码); a grid is
    numbered inside its community, so its code is the community's 12 digits plus 3 (15 in all).
    `district` points at the district the area lies in (itself for a district), so scoping by
    district is one indexed equality rather than a walk up the tree.
    """

    code = models.CharField(_("division code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    district = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["level", "district"])]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=Level.values), name="area_level_valid"),
            models.CheckConstraint(
                condition=Q(level=Level.GRID, code__regex=r"^[0-9]{15}$")
                | (~Q(level=Level.GRID) & Q(code__regex=r"^[0-9]{12}$")),
                name="area_code_length",
            ),
            models.CheckConstraint(
                condition=Q(level=Level.CITY, parent__isnull=True)
                | (~Q(level=Level.CITY) & Q(parent__isnull=False)),
                name="area_only_city_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Address(models.Model):
    """One standard address (标准地址): a room, flat or house inside a grid.

    Every residence registration, tenancy and visit points at one of these. `text` is the
    address written out in full, kept for search and display.
    """

    grid = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="addresses",
        limit_choices_to={"level": Level.GRID},
    )
    road = models.CharField(_("road or street"), max_length=100)
    number = models.CharField(_("door number"), max_length=20)
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    text = models.CharField(_("full address"), max_length=300, editable=False)

    class Meta:
        ordering = ["text"]
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "road", "number", "building", "unit", "room"],
                name="address_unique_in_grid",
            )
        ]
        indexes = [models.Index(fields=["grid", "text"])]

    def __str__(self) -> str:
        return self.text

    @staticmethod
    def compose_text(*, road: str, number: str, building: str, unit: str, room: str) -> str:
        parts = [f"{road}{number}号"]
        if building:
            parts.append(f"{building}幢")
        if unit:
            parts.append(f"{unit}单元")
        if room:
            parts.append(f"{room}室")
        return "".join(parts)
