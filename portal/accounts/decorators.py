from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts import selectors, services


def step_up_url(request: HttpRequest, level: str) -> str:
    query = urlencode({"level": level, "next": request.get_full_path()})
    return f"{reverse('accounts:step_up')}?{query}"


def require_level_of_assurance(level: str):
    """View decorator: the session must have been authenticated at ``level`` or above.

    Signed-out people go to sign in; a weaker session is sent to the step-up page, which explains
    what is needed and offers the eID providers that can give it, then comes back here.
    """
    if level not in selectors.LEVELS_OF_ASSURANCE:
        raise ValueError(f"Unknown level of assurance {level!r}.")

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actual = selectors.session_level_of_assurance(request)
            if not selectors.level_satisfies(actual, level):
                messages.info(
                    request,
                    _(
                        "This step needs an identity verified at level %(required)s; you signed in at "
                        "level %(actual)s. Sign in with your national eID to continue."
                    )
                    % {"required": services.describe_level(level), "actual": services.describe_level(actual)},
                )
                return HttpResponseRedirect(step_up_url(request, level))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
