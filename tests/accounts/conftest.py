from __future__ import annotations

import pytest

PASSWORD = "correct-horse-battery-staple-42"


def make_user(email: str, *, password: str = PASSWORD, verified: bool = True, **fields):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def staff_user(db):
    return make_user("admin@psc.example.eu", is_staff=True, is_superuser=True)


@pytest.fixture
def entrepreneur(db):
    return make_user("marie@example.fr")
