"""The targeting criteria the domain apps register with the platform, and targets built from them.

A criterion is one condition a resident can meet (lives in a district, holds a valid permit,
has a points score of at least N...). The app that owns the data registers it in its
AppConfig.ready() with `register_criterion(code, label, fields, build)`:

- `fields()` returns the Django form fields of its parameters (name -> field); their cleaned
  values must be plain JSON (numbers, strings, lists of them), since targets are stored as JSON.
- `build(params, on)` turns cleaned parameters into a set of person ids on day `on`: either a
  Django queryset whose single column is the person id (`.values("pk")` or
  `.values("person_id")`), or SQL text with its parameters (`Sql`). Either way it is one
  set-based query: the platform never asks a criterion about one person at a time.
- `describe(params)` (optional) says in words what the parameters select.

A target is a list of conditions `[{"criterion": code, "params": {...}}]`, met when every one
of them is met. The platform combines them into one statement (`audience_sql`, the sets
intersected) and never imports a domain app: it knows the criteria only through this registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.errors import InvalidInput


@dataclass(frozen=True)
class Sql:
    """SQL text whose one output column is a person id, with its query parameters."""

    text: str
    params: Sequence[Any] = ()


Builder = Callable[[Mapping[str, Any], dt.date], "Sql | QuerySet"]
FieldSpec = Callable[[], dict[str, forms.Field]]


@dataclass(frozen=True)
class Criterion:
    code: str
    label: Any  # a lazy translatable string
    fields: FieldSpec
    build: Builder
    describe: Callable[[Mapping[str, Any]], str] | None = None
    help_text: Any = ""
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self, params: Mapping[str, Any]) -> str:
        """The condition in words: the label, and what the parameters select."""
        if self.describe is None:
            return str(self.label)
        return f"{self.label}: {self.describe(params)}"


_criteria: dict[str, Criterion] = {}


def register_criterion(
    code: str,
    label: Any,
    fields: FieldSpec,
    build: Builder,
    *,
    describe: Callable[[Mapping[str, Any]], str] | None = None,
    help_text: Any = "",
    order: int = 100,
) -> Criterion:
    """Make a criterion available to policy targets (registering a code again replaces it)."""
    criterion = Criterion(
        code=code,
        label=label,
        fields=fields,
        build=build,
        describe=describe,
        help_text=help_text,
        order=order,
    )
    _criteria[code] = criterion
    return criterion


def get_criterion(code: str) -> Criterion:
    try:
        return _criteria[code]
    except KeyError:
        raise LookupError(f"no notice criterion {code!r} is registered") from None


def all_criteria() -> list[Criterion]:
    return sorted(_criteria.values(), key=lambda c: (c.order, c.code))


def unregister_criterion(code: str) -> None:
    """Remove a criterion (for tests that register their own)."""
    _criteria.pop(code, None)


# --- targets ----------------------------------------------------------------------------------


def params_form(criterion: Criterion, data: Mapping[str, Any] | None = None, *, prefix: str = ""):
    """An unbound or bound Django form of one criterion's parameters."""
    form = forms.Form(data=data, prefix=prefix or None)
    form.fields.update(criterion.fields())
    return form


def clean_target(raw: Any) -> list[dict[str, Any]]:
    """Check a target's shape and every condition's parameters; return it cleaned.

    Raises InvalidInput naming each wrong condition (`target.<code>.<param>`), an unknown
    criterion, a criterion used twice, or an empty target (a policy reaches someone in
    particular: "everyone" is not a target).
    """
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise InvalidInput(fields={"target": [_("The target must be a list of conditions.")]})
    if not raw:
        raise InvalidInput(
            _("Choose at least one condition."),
            code="empty_target",
            fields={"target": [_("Choose at least one condition.")]},
        )
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for item in raw:
        code = str(item.get("criterion", ""))
        if code not in _criteria:
            errors[f"target.{code or '?'}"] = [_("This condition is not known.")]
            continue
        if code in seen:
            errors[f"target.{code}"] = [_("Each condition can be used once.")]
            continue
        seen.add(code)
        params = item.get("params") or {}
        if not isinstance(params, Mapping):
            errors[f"target.{code}"] = [_("The parameters must be an object.")]
            continue
        form = params_form(_criteria[code], _form_data(params))
        if not form.is_valid():
            for name, messages in form.errors.items():
                key = f"target.{code}" if name == "__all__" else f"target.{code}.{name}"
                errors[key] = [str(m) for m in messages]
            continue
        cleaned.append(
            {
                "criterion": code,
                "params": {k: _jsonable(v) for k, v in form.cleaned_data.items()},
            }
        )
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def _jsonable(value: Any) -> Any:
    """A cleaned parameter as plain JSON: decimals as strings, dates in ISO form."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _form_data(params: Mapping[str, Any]):
    """Parameters as form data: lists become multi-valued keys."""
    from django.utils.datastructures import MultiValueDict

    data = MultiValueDict()
    for key, value in params.items():
        if isinstance(value, list | tuple):
            data.setlist(key, [str(v) for v in value])
        elif value is None:
            continue
        elif isinstance(value, bool):
            data[key] = "on" if value else ""
        else:
            data[key] = str(value)
    return data


def describe_target(target: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each condition of a stored target in words (an unknown criterion is named by its code)."""
    lines = []
    for item in target:
        criterion = _criteria.get(item.get("criterion", ""))
        if criterion is None:
            lines.append(_("Unknown condition %(code)s") % {"code": item.get("criterion")})
        else:
            lines.append(criterion.summary(item.get("params") or {}))
    return lines


def _as_sql(built: Sql | QuerySet) -> tuple[str, list[Any]]:
    if isinstance(built, Sql):
        return built.text, list(built.params)
    if isinstance(built, QuerySet):
        # A set has no order: sorting a million ids inside IN (...) is wasted work.
        sql, params = built.order_by().query.get_compiler(connection=connection).as_sql()
        return sql, list(params)
    raise TypeError(f"a criterion must build Sql or a QuerySet, not {type(built).__name__}")


def audience_sql(target: Sequence[Mapping[str, Any]], *, on: dt.date) -> tuple[str, list[Any]]:
    """One SELECT of the distinct ids (`person_id`) of the persons who meet every condition on
    day `on`: the conditions' sets, intersected.

    INTERSECT hashes whole sets whatever the row estimates say; a chain of IN (...) semi-joins
    can turn into a loop of index probes when the planner guesses a condition's size wrong.
    """
    if not target:
        raise InvalidInput(_("Choose at least one condition."), code="empty_target")
    selects = []
    params: list[Any] = []
    for index, item in enumerate(target):
        criterion = get_criterion(item["criterion"])
        sql, sql_params = _as_sql(criterion.build(item.get("params") or {}, on))
        selects.append(f"SELECT person_id FROM ({sql}) AS c{index} (person_id)")  # noqa: S608
        params.extend(sql_params)
    if len(selects) == 1:
        return f"SELECT DISTINCT person_id FROM ({selects[0]}) AS audience", params  # noqa: S608
    return " INTERSECT ".join(selects), params


NOBODY = Sql("SELECT NULL::bigint WHERE false")
"""A set of no persons, for a criterion that cannot select anyone (no rules in force)."""
