"""factory_boy factories for the models tests build most often."""

from __future__ import annotations

import factory
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model

from portal.dossiers.models import Application, Dossier


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"entrepreneur{n}@example.eu")
    first_name = "Ana"
    last_name = "Silva"
    password = factory.PostGenerationMethodCall("set_password", "a-long-password-1")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffUserFactory(UserFactory):
    """Staff with a TOTP authenticator, as the portal requires before any staff page."""

    email = factory.Sequence(lambda n: f"clerk{n}@psc.example.eu")
    is_staff = True

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        if create:
            Authenticator.objects.create(user=obj, type=Authenticator.Type.TOTP, data={"secret": "x"})


class SuperuserFactory(StaffUserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@psc.example.eu")
    is_superuser = True


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    owner = factory.SubFactory(UserFactory)
    language = "pt"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    dossier = factory.SubFactory(DossierFactory)
    procedure_id = factory.Sequence(lambda n: n + 1)


class AuthorityStaffFactory(UserFactory):
    """Staff of a competent authority: not Django staff, a membership, and (unless ``second_factor=False``)
    a TOTP authenticator, as the portal requires of them."""

    email = factory.Sequence(lambda n: f"officer{n}@authority.example.eu")
    first_name = "Clara"
    last_name = "Weber"

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            Authenticator.objects.create(user=obj, type=Authenticator.Type.TOTP, data={"secret": "x"})

    @factory.post_generation
    def memberships(obj, create, extracted, **kwargs):
        """``memberships={"authority-a": "clerk"}``"""
        from portal.accounts.models import AuthorityMembership

        for identifier, role in (extracted or {}).items():
            AuthorityMembership.objects.create(user=obj, authority_identifier=identifier, role=role)
