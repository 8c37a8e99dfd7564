from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts import selectors, services
from portal.accounts.eid import eidas_provider
from portal.accounts.forms import DeleteAccountForm, LegalPersonForm, PreferredLanguageForm, ProfileForm
from portal.accounts.models import LegalPersonRepresentation
from portal.core.downloads import file_response


@login_required
def account_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assurance = selectors.session_assurance(request)
    return render(
        request,
        "accounts/account.html",
        {
            "profile": selectors.profile_for(user),
            "legal_persons": selectors.legal_persons_for(user),
            "identities": selectors.linked_identities(user),
            "eidas_identities": selectors.eidas_identities(user),
            "eidas_enabled": eidas_provider() is not None,
            "mfa_devices": selectors.mfa_devices(user),
            "assurance": assurance,
            "assurance_label": services.describe_level(assurance["level"]),
            "language_form": PreferredLanguageForm(
                initial={"preferred_language": user.preferred_language or translation.get_language()}
            ),
            "eid_apps": selectors.eid_oidc_providers(),
            "deletion_blockers": services.deletion_blockers(user),
        },
    )


@login_required
def edit_profile(request: HttpRequest) -> HttpResponse:
    profile = selectors.profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        # a fresh copy: the form has already written the new values onto `profile`
        services.update_profile(selectors.profile_for(request.user), form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:account")
    return render(request, "accounts/profile_form.html", {"form": form, "profile": profile})


@login_required
@require_POST
def set_preferred_language(request: HttpRequest) -> HttpResponse:
    form = PreferredLanguageForm(request.POST)
    if form.is_valid():
        language = form.cleaned_data["preferred_language"]
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
        translation.activate(language)
        messages.success(request, _("Your preferred language was saved."))
        response = redirect("accounts:account")
        response.set_cookie(
            "portal_language", language, samesite="Lax", secure=request.is_secure(), httponly=False
        )
        return response
    messages.error(request, _("Choose one of the languages offered."))
    return redirect("accounts:account")


@login_required
def add_legal_person(request: HttpRequest) -> HttpResponse:
    form = LegalPersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        representation = form.save(commit=False)
        representation.user = request.user
        representation.save()
        messages.success(request, _("%(name)s was added.") % {"name": representation.name})
        return redirect("accounts:account")
    return render(request, "accounts/legal_person_form.html", {"form": form})


@login_required
@require_POST
def remove_legal_person(request: HttpRequest, pk: int) -> HttpResponse:
    # Filtered by owner: another user's representation is a 404, not a 403 that confirms it exists.
    representation = get_object_or_404(LegalPersonRepresentation, pk=pk, user=request.user)
    representation.delete()
    messages.success(request, _("%(name)s was removed.") % {"name": representation.name})
    return redirect("accounts:account")


@login_required
def download_my_data(request: HttpRequest) -> HttpResponse:
    data = services.export_personal_data(request.user)
    return file_response(
        json.dumps(data, indent=2, ensure_ascii=False, default=str), "my-data.json", "application/json"
    )


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    reasons = services.deletion_blockers(request.user)
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and not reasons and form.is_valid():
        user = request.user
        try:
            services.delete_account(user)
        except services.AccountDeletionBlocked as blocked:
            reasons = blocked.reasons
        else:
            logout(request)
            messages.success(request, _("Your account and your data were deleted."))
            return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form, "reasons": reasons})


def step_up(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "substantial")
    if level not in selectors.LEVELS_OF_ASSURANCE:
        level = "substantial"
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    return render(
        request,
        "accounts/step_up.html",
        {
            "required_level": services.describe_level(level),
            "current_level": services.describe_level(selectors.session_level_of_assurance(request) or "low"),
            "eid_apps": selectors.eid_oidc_providers(),
            "next_url": next_url,
            "process": "connect" if request.user.is_authenticated else "login",
            "eidas_enabled": eidas_provider() is not None and not request.user.is_authenticated,
        },
    )
