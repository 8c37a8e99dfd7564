from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import AuthorityMembership, User
from procedures.models import CompetentAuthority


def authority_choices() -> list[tuple[str, str]]:
    """Every competent authority once, by its identifier, named in the default language if it has one."""
    names: dict[str, str] = {}
    default_first = CompetentAuthority.objects.order_by("name").values_list(
        "identifier", "name", "locale__language_code"
    )
    for identifier, name, language in default_first:
        if identifier not in names or language == settings.LANGUAGE_CODE:
            names[identifier] = name
    return sorted(((key, f"{name} ({key})") for key, name in names.items()), key=lambda choice: choice[1])


class AuthorityMembershipForm(forms.ModelForm):
    class Meta:
        model = AuthorityMembership
        fields = ["user", "authority_identifier", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a choice, not free text: a mistyped identifier would silently grant access to nothing
        self.fields["authority_identifier"] = forms.ChoiceField(
            label=_("competent authority"), choices=[("", "---------"), *authority_choices()]
        )


class AuthorityMembershipInline(admin.TabularInline):
    model = AuthorityMembership
    form = AuthorityMembershipForm
    extra = 0


@admin.register(AuthorityMembership)
class AuthorityMembershipAdmin(admin.ModelAdmin):
    form = AuthorityMembershipForm
    list_display = ["user", "authority_identifier", "role", "created_at"]
    list_filter = ["role", "authority_identifier"]
    search_fields = ["user__email", "authority_identifier"]
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [AuthorityMembershipInline]
