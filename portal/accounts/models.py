from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Every person who signs in: entrepreneurs, authority staff, editors.

    People are identified by e-mail (or, later, by an eID identity linked to the account), never
    by a user name they would have to invent.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Capacity(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative (by law or statutes)")
    DIRECTOR = "director", _("Director or managing partner")
    EMPLOYEE = "employee", _("Employee with a mandate")
    AGENT = "agent", _("Agent or intermediary with a power of attorney")


class EntrepreneurProfile(models.Model):
    """The natural person behind an account; attributes from an eID are marked verified."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="entrepreneur_profile")
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, help_text=_("Two-letter country code, e.g. FR.")
    )
    address_line_1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city or town"), max_length=100, blank=True)
    region = models.CharField(_("region, province or state"), max_length=100, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("Two-letter country code, e.g. DE.")
    )
    # {"field name": {"source": "eid_oidc:be-fas", "verified_at": "2026-11-26T20:00:00+00:00"}}
    verified_attributes = models.JSONField(_("verified attributes"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("entrepreneur profile")
        verbose_name_plural = _("entrepreneur profiles")

    def __str__(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_name) if part) or str(self.user)

    def is_verified(self, field_name: str) -> bool:
        return field_name in self.verified_attributes


class LegalPersonRepresentation(models.Model):
    """A company or other legal person that the user declares (or an eID asserts) they represent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="represented_legal_persons")
    name = models.CharField(_("legal name"), max_length=300)
    registration_number = models.CharField(_("registration number"), max_length=100)
    register = models.CharField(
        _("register"), max_length=200, help_text=_("The business register that issued the number.")
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("Two-letter country code."))
    lei = models.CharField(
        _("LEI"), max_length=20, blank=True, help_text=_("Legal Entity Identifier (optional).")
    )
    euid = models.CharField(
        _("EUID"), max_length=100, blank=True, help_text=_("European Unique Identifier (optional).")
    )
    capacity = models.CharField(_("declared capacity"), max_length=32, choices=Capacity.choices)
    verified_source = models.CharField(
        _("verified by"), max_length=200, blank=True, help_text=_("Empty when only declared by the user.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("represented legal person")
        verbose_name_plural = _("represented legal persons")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "country", "registration_number"], name="accounts_unique_representation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country} {self.registration_number})"


class EidasIdentity(models.Model):
    """A person as identified by an eIDAS node: the PersonIdentifier is unique per node (issuer)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="eidas_identities")
    issuer = models.CharField(_("eIDAS node"), max_length=500)
    person_identifier = models.CharField(_("person identifier"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("eIDAS identity")
        verbose_name_plural = _("eIDAS identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "person_identifier"], name="accounts_unique_eidas_identity"
            )
        ]

    def __str__(self) -> str:
        return self.person_identifier


class AuthorityRole(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    SUPERVISOR = "supervisor", _("Supervisor")


class AuthorityMembership(models.Model):
    """A staff member of a competent authority, who works its applications in the back-office.

    The authority is named by its ``identifier``: ``CompetentAuthority`` is a translatable snippet with
    one row per language, all sharing that slug, and an application's snapshot records it too."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="authority_memberships")
    authority_identifier = models.SlugField(_("competent authority"), max_length=100, db_index=True)
    role = models.CharField(
        _("role"), max_length=16, choices=AuthorityRole.choices, default=AuthorityRole.CLERK
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("authority membership")
        verbose_name_plural = _("authority memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "authority_identifier"], name="accounts_one_membership_per_authority"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.authority_identifier} ({self.get_role_display()})"
