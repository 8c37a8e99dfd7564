from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import EntrepreneurProfile, LegalPersonRepresentation

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


def validate_country_code(value: str) -> None:
    if value and not COUNTRY_CODE.match(value):
        raise ValidationError(_("Enter a two-letter country code, such as FR or DE."))


def validate_lei(value: str) -> None:
    """ISO 17442: 20 characters, the last two are ISO 7064 MOD 97-10 check digits."""
    if not value:
        return
    if not re.fullmatch(r"[A-Z0-9]{18}[0-9]{2}", value):
        raise ValidationError(_("A LEI has 20 characters: 18 letters or digits, then 2 check digits."))
    if int("".join(str(int(char, 36)) for char in value)) % 97 != 1:
        raise ValidationError(_("This LEI's check digits are wrong: please check it for typing errors."))


class UpperCaseCharField(forms.CharField):
    def to_python(self, value):
        return super().to_python(value).strip().upper()


class ProfileForm(forms.ModelForm):
    nationality = UpperCaseCharField(
        label=_("Nationality"), max_length=2, required=False, validators=[validate_country_code]
    )
    country = UpperCaseCharField(
        label=_("Country"), max_length=2, required=False, validators=[validate_country_code]
    )

    class Meta:
        model = EntrepreneurProfile
        fields = [
            "given_names",
            "family_name",
            "date_of_birth",
            "nationality",
            "address_line_1",
            "address_line_2",
            "postal_code",
            "city",
            "region",
            "country",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class LegalPersonForm(forms.ModelForm):
    country = UpperCaseCharField(label=_("Country"), max_length=2, validators=[validate_country_code])
    lei = UpperCaseCharField(label=_("LEI"), max_length=20, required=False, validators=[validate_lei])

    class Meta:
        model = LegalPersonRepresentation
        fields = ["name", "registration_number", "register", "country", "lei", "euid", "capacity"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        if (
            self.user is not None
            and LegalPersonRepresentation.objects.filter(
                user=self.user,
                country=cleaned.get("country"),
                registration_number=cleaned.get("registration_number"),
            ).exists()
        ):
            raise ValidationError(_("You already represent a legal person with this number in this country."))
        return cleaned


class PreferredLanguageForm(forms.Form):
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and all my data will be deleted for good."), required=True
    )
