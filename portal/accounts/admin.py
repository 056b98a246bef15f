"""Configuration screens for users (roles and staff scopes) and departments."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Department, Role, User


class RolesField(forms.TypedMultipleChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            choices=Role.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            label=_("roles"),
            **kwargs,
        )


class UserChangeForm(auth_forms.UserChangeForm):
    roles = RolesField()

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    roles = RolesField()

    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "roles", "department")


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "phone", "role_labels", "department", "is_staff", "is_active"]
    list_filter = ["department", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["department"]
    search_fields = ["username", "phone", "first_name", "last_name"]
    autocomplete_fields = ["department", "districts", "grids"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "phone", "phone_verified"]}),
        (_("Roles and scope"), {"fields": ["roles", "department", "districts", "grids"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "roles",
                    "department",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    @admin.display(description=_("roles"))
    def role_labels(self, user: User) -> str:
        return ", ".join(str(Role(role).label) for role in user.roles)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]
