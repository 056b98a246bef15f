"""A division-code picker: choose the area level by level instead of typing 6 or 12 digits.

The first list shows the top of the area tree; choosing an area loads the list of the areas
inside it (htmx, `areas:picker`), down to the community. A place outside the tree (a hukou
place in another province) can still be typed in the box below the lists. The form receives
the deepest area chosen, else the typed code.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.loader import render_to_string

from portal.areas import selectors


class DivisionCodePicker(forms.Widget):
    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        picked = [value for value in data.getlist(name) if value]
        if picked:
            return picked[-1]
        return (data.get(f"{name}_typed") or "").strip()

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_typed" not in data

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        attrs = self.build_attrs(self.attrs, attrs)
        return render_to_string(
            "areas/picker.html",
            {
                "name": name,
                "id": attrs.get("id", f"id_{name}"),
                "value": value or "",
                "choices": selectors.picker_choices(None),
                "level": 0,
                "describedby": attrs.get("aria-describedby", ""),
            },
        )

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_typed"
