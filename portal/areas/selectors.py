"""Reads of areas and standard addresses: reference data that any signed-in user may read."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.areas.models import Address, Area, Level

# The path from an address to the area of each level that contains it.
_ADDRESS_TO_AREA = {
    Level.GRID: "grid",
    Level.COMMUNITY: "grid__parent",
    Level.STREET: "grid__parent__parent",
    Level.DISTRICT: "grid__district",
    Level.CITY: "grid__district__parent",
}


def areas() -> QuerySet[Area]:
    """Every area, with its parent and district loaded, in code order."""
    return Area.objects.select_related("parent", "district").order_by("code")


# Division codes stop at the community: a grid's number is the portal's own, not a division code.
PICKER_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def picker_choices(parent_code: str | None) -> QuerySet[Area]:
    """The areas one level below `parent_code` (the top of the tree when None) a division-code
    picker offers, in code order; none below a community or for an unknown code."""
    qs = areas().filter(level__in=PICKER_LEVELS)
    if not parent_code:
        return qs.filter(parent__isnull=True)
    return qs.filter(parent__code=parent_code)


def search_areas(q: str, *, queryset: QuerySet[Area] | None = None) -> QuerySet[Area]:
    """Areas whose name (Chinese or English) contains `q`, or whose code starts with it."""
    qs = areas() if queryset is None else queryset
    q = q.strip()
    if not q:
        return qs
    return qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__startswith=q))


def addresses() -> QuerySet[Address]:
    """Every standard address, with its grid and district loaded, in text order."""
    return Address.objects.select_related("grid", "grid__district").order_by("text", "id")


def addresses_in_area(
    area: Area, *, queryset: QuerySet[Address] | None = None
) -> QuerySet[Address]:
    """The addresses inside `area`, whatever its level (grid, community, street, district, city)."""
    qs = addresses() if queryset is None else queryset
    return qs.filter(**{_ADDRESS_TO_AREA[Level(area.level)]: area})


def search_addresses(
    q: str, *, area: Area | None = None, queryset: QuerySet[Address] | None = None
) -> QuerySet[Address]:
    """Addresses whose text contains every word of `q` (in any order), optionally inside `area`.

    "人民路 101" finds 人民路1号1幢1单元101室.
    """
    qs = addresses() if queryset is None else queryset
    if area is not None:
        qs = addresses_in_area(area, queryset=qs)
    for term in q.split():
        qs = qs.filter(text__icontains=term)
    return qs
