"""The procedure catalogue's content model: Wagtail pages (catalogue index, procedure) and translatable
snippets (competent authority, evidence type, business activity), translated with wagtail-localize.

* Codes, amounts, delays and rules are ``SynchronizedField``s, so a translator translates words only;
  related snippets are mapped to their translation.
* wagtail-localize 1.14 reads a nested struct's child named ``value`` as the block's payload, so the
  form condition's operand is called ``answer`` (``blocks.py``); do not rename it ``value``.
* A procedure applies when any of its ``applicability`` rules holds; without rules the finder never
  lists it. :class:`ApplicabilityIndexEntry` holds one row per (rule, activity code) of a page's rules
  (``""`` = every activity; legal forms as ``|a|b|``, ``""`` = every legal form), rebuilt in
  ``ProcedurePage.save()`` whenever the row's ``applicability`` is written (publishing writes it; a
  draft revision does not). The finder selects with one query: activity in {"", the section, every
  prefix of the code}, provision / staff / region in {"any", the answer}, legal forms empty or
  containing the answer, joined to the live pages of the language; ``finder.procedure_applies`` (the
  Python evaluation) is the reference it must agree with.
* A procedure page answers ``Accept: application/ld+json`` (when preferred over HTML; the
  ``before_serve_page`` hook in ``wagtail_hooks.py``) with its CPSV-AP JSON-LD in the page's language,
  with ``Vary: Accept`` on both representations.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from cryptography import x509
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from portal.core.page_cache import allow_anonymous_caching
from procedures.blocks import (
    ApplicabilityRuleBlock,
    EvidenceRequirementBlock,
    FeeBlock,
    FormDefinitionBlock,
    LegalBasisBlock,
    StepBlock,
    split_codes,
)
from procedures.choices import DELIVERY_TRANSPORTS, LEVELS_OF_ASSURANCE

LANGUAGE_LIST_VALIDATOR = RegexValidator(
    r"^[a-z]{2}(?:\s*,\s*[a-z]{2})*$",
    _("Give ISO 639-1 language codes separated by commas, e.g. 'en, fr, de'."),
)
NACE_CODE_VALIDATOR = RegexValidator(
    r"^\d{2}(?:\.\d{1,2})?$", _("A NACE rev. 2 code: a division (96), group (96.0) or class (96.02).")
)
SDG_POLICY_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z]\d{1,2}$",
    _("A letter and a number, as the Your Europe tagging guidance lists the areas (e.g. J1)."),
)
NACE_SECTION_VALIDATOR = RegexValidator(r"^[A-U]$", _("A NACE rev. 2 section letter, A to U."))
PARTY_ID_TYPE_VALIDATOR = RegexValidator(r"^\S+$", _("A party id type is a URI without spaces."))


def normalise_search_text(text: str) -> str:
    """Lower case, accents removed, runs of non-letters collapsed: 'Coiffeur·se' -> 'coiffeur se'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.split(r"[^\w]+", without_accents)).strip()


def split_language_codes(text: str) -> list[str]:
    return [code.strip() for code in (text or "").split(",") if code.strip()]


SEARCH_QUERY_LENGTH = 100  # characters of a search query that the search looks at


class PublicPage(Page):
    """A page every anonymous visitor sees the same: kept whole by the page cache."""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        return allow_anonymous_caching(super().serve(request, *args, **kwargs))


class HomePage(PublicPage):
    """The portal's front page, one per language (Wagtail locales)."""

    intro = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("home page")


# --- Snippets -------------------------------------------------------------------------------


class CompetentAuthority(TranslatableMixin, index.Indexed, models.Model):
    """An authority that decides on procedures, and how the portal delivers dossiers to it."""

    name = models.CharField(_("name"), max_length=255)
    identifier = models.SlugField(
        _("identifier"), max_length=100, help_text=_("Stable identifier, the same in every language.")
    )
    address = models.TextField(_("postal address"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    languages = models.CharField(
        _("languages it accepts"), max_length=100, default="en", validators=[LANGUAGE_LIST_VALIDATOR]
    )
    delivery_transport = models.CharField(
        _("delivery channel"), max_length=20, choices=DELIVERY_TRANSPORTS, default="backoffice"
    )
    as4_party_id = models.CharField(_("AS4 party id"), max_length=255, blank=True)
    as4_party_id_type = models.CharField(
        _("AS4 party id type"), max_length=255, blank=True, validators=[PARTY_ID_TYPE_VALIDATOR]
    )
    as4_endpoint_url = models.URLField(_("AS4 endpoint URL"), blank=True)
    as4_certificate_pem = models.TextField(
        _("AS4 certificate (PEM)"), blank=True, help_text=_("The access point's encryption certificate.")
    )
    as4_service = models.CharField(_("AS4 service"), max_length=255, blank=True)
    as4_service_type = models.CharField(_("AS4 service type"), max_length=255, blank=True)
    as4_action = models.CharField(_("AS4 action"), max_length=255, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("identifier"),
        FieldPanel("address"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("website"),
        FieldPanel("languages"),
        MultiFieldPanel(
            [
                FieldPanel("delivery_transport"),
                FieldPanel("as4_party_id"),
                FieldPanel("as4_party_id_type"),
                FieldPanel("as4_endpoint_url"),
                FieldPanel("as4_certificate_pem"),
                FieldPanel("as4_service"),
                FieldPanel("as4_service_type"),
                FieldPanel("as4_action"),
            ],
            heading=_("Delivery channel"),
        ),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]
    override_translatable_fields = [
        SynchronizedField("identifier"),
        SynchronizedField("languages"),
        SynchronizedField("email"),
        SynchronizedField("phone"),
        SynchronizedField("website"),
        SynchronizedField("as4_party_id"),
        SynchronizedField("as4_party_id_type"),
        SynchronizedField("as4_endpoint_url"),
        SynchronizedField("as4_certificate_pem"),
        SynchronizedField("as4_service"),
        SynchronizedField("as4_service_type"),
        SynchronizedField("as4_action"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("competent authority")
        verbose_name_plural = _("competent authorities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "locale"], name="unique_authority_identifier")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.delivery_transport != "as4":
            return
        errors = {}
        for field in ("as4_party_id", "as4_party_id_type", "as4_endpoint_url", "as4_service", "as4_action"):
            if not getattr(self, field).strip():
                errors[field] = _("Required for delivery over AS4.")
        endpoint = urlsplit(self.as4_endpoint_url)
        loopback = endpoint.scheme == "http" and endpoint.hostname in ("127.0.0.1", "localhost", "::1")
        if self.as4_endpoint_url and endpoint.scheme != "https" and not loopback:
            # plain http only to this machine (the demo authority access point)
            errors["as4_endpoint_url"] = _("An AS4 endpoint is reached over https.")
        if not self.as4_certificate_pem.strip():
            errors["as4_certificate_pem"] = _("Required for delivery over AS4.")
        else:
            try:
                x509.load_pem_x509_certificate(self.as4_certificate_pem.strip().encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                errors["as4_certificate_pem"] = _("This is not a PEM-encoded X.509 certificate.")
        if errors:
            raise ValidationError(errors)

    @property
    def delivery_channel(self) -> dict:
        """What the delivery building block needs: the transport name and its settings."""
        if self.delivery_transport == "as4":
            return {
                "transport": "as4",
                "settings": {
                    "party_id": self.as4_party_id,
                    "party_id_type": self.as4_party_id_type,
                    "endpoint_url": self.as4_endpoint_url,
                    "certificate_pem": self.as4_certificate_pem,
                    "service": self.as4_service,
                    "service_type": self.as4_service_type,
                    "action": self.as4_action,
                },
            }
        return {"transport": "backoffice", "settings": {"authority": self.identifier}}

    @property
    def language_codes(self) -> list[str]:
        return split_language_codes(self.languages)


class EvidenceType(TranslatableMixin, index.Indexed, models.Model):
    """A kind of document an applicant provides (identity document, proof of qualification...)."""

    identifier = models.SlugField(_("identifier"), max_length=100)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("identifier"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]
    override_translatable_fields = [SynchronizedField("identifier")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("evidence type")
        verbose_name_plural = _("evidence types")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "locale"], name="unique_evidence_type_identifier")
        ]

    def __str__(self) -> str:
        return self.name


class BusinessActivity(TranslatableMixin, index.Indexed, models.Model):
    """A NACE rev. 2 activity with its name and the words people use for it, per language."""

    nace_code = models.CharField(_("NACE rev. 2 code"), max_length=5, validators=[NACE_CODE_VALIDATOR])
    nace_section = models.CharField(_("NACE section"), max_length=1, validators=[NACE_SECTION_VALIDATOR])
    name = models.CharField(_("name"), max_length=255)
    synonyms = models.TextField(
        _("synonyms"),
        blank=True,
        help_text=_("One per line: the words people search with, also in other languages."),
    )
    search_text = models.TextField(editable=False, default="")

    panels = [FieldPanel("name"), FieldPanel("nace_code"), FieldPanel("nace_section"), FieldPanel("synonyms")]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("synonyms"),
        index.AutocompleteField("name"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields = [SynchronizedField("nace_code"), SynchronizedField("nace_section")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("business activity")
        verbose_name_plural = _("business activities")
        ordering = ["nace_code", "name"]
        constraints = [models.UniqueConstraint(fields=["nace_code", "locale"], name="unique_activity_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.nace_code})"

    def save(self, *args, **kwargs):
        self.search_text = " " + normalise_search_text(" \n ".join([self.name, *self.synonym_list])) + " "
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def synonym_list(self) -> list[str]:
        return [line.strip() for line in self.synonyms.splitlines() if line.strip()]


# --- Pages ----------------------------------------------------------------------------------


class ProcedureIndexPage(PublicPage):
    """The catalogue: lists and searches the procedures below it."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["procedures.HomePage"]
    subpage_types = ["procedures.ProcedurePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("procedure catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        query = request.GET.get("q", "").strip()[:200]
        context["query"] = query
        context["procedures"] = self.search(query)
        return context

    def search(self, query: str) -> list[ProcedurePage]:
        """Live procedures below this catalogue page; with a query, Wagtail search ranks them."""
        procedures = ProcedurePage.objects.live().child_of(self)
        query = query.strip()[:SEARCH_QUERY_LENGTH]
        if not query:
            return list(procedures.select_related("competent_authority").order_by("sequence", "title"))
        return list(procedures.search(query, operator="or"))


class ProcedurePage(PublicPage):
    """One administrative procedure, with what SDG Regulation art. 10 and Services Directive art. 7
    require the portal to tell an applicant, and the form its dossier asks."""

    summary = models.TextField(_("summary"))
    sequence = models.PositiveSmallIntegerField(
        _("order in a checklist"), default=100, help_text=_("Lower numbers come first.")
    )
    steps = StreamField([("step", StepBlock())], verbose_name=_("steps"), blank=True)
    competent_authority = models.ForeignKey(
        CompetentAuthority,
        verbose_name=_("competent authority"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    content_owner = models.ForeignKey(
        CompetentAuthority,
        verbose_name=_("authority responsible for this content"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    evidence = StreamField(
        [("evidence", EvidenceRequirementBlock())], verbose_name=_("required evidence"), blank=True
    )
    fees = StreamField([("fee", FeeBlock())], verbose_name=_("fees"), blank=True)
    processing_time_days = models.PositiveIntegerField(
        _("processing time limit (days)"), null=True, blank=True
    )
    tacit_approval = models.BooleanField(
        _("silence means approval"),
        default=False,
        help_text=_("Tacit approval (Services Directive art. 13)."),
    )
    tacit_approval_days = models.PositiveIntegerField(_("tacit approval after (days)"), null=True, blank=True)
    redress_body = models.CharField(_("where to appeal"), max_length=255, blank=True)
    redress_deadline_days = models.PositiveIntegerField(_("appeal deadline (days)"), null=True, blank=True)
    legal_basis = StreamField([("law", LegalBasisBlock())], verbose_name=_("legal basis"), blank=True)
    accepted_languages = models.CharField(
        _("languages the authority accepts"),
        max_length=100,
        default="en",
        validators=[LANGUAGE_LIST_VALIDATOR],
    )
    minimum_loa = models.CharField(
        _("minimum eID level of assurance to apply online"),
        max_length=20,
        choices=LEVELS_OF_ASSURANCE,
        default="substantial",
    )
    sdg_policy_code = models.CharField(
        _("SDG policy code"),
        max_length=3,
        default="J1",
        validators=[SDG_POLICY_CODE_VALIDATOR],
        help_text=_(
            "The SDG Regulation information area this procedure belongs to, as its code in the Your Europe "
            "tagging guidance; published in the page's policy-code meta tag."
        ),
    )
    applicability = StreamField(
        [("rule", ApplicabilityRuleBlock())],
        verbose_name=_("applicability rules"),
        blank=True,
        help_text=_("The procedure applies when any rule holds. Without rules the finder never lists it."),
    )
    form_definition = StreamField(FormDefinitionBlock(), verbose_name=_("application form"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("sequence"),
        FieldPanel("competent_authority"),
        FieldPanel("content_owner"),
        FieldPanel("steps"),
        FieldPanel("evidence"),
        FieldPanel("fees"),
        MultiFieldPanel(
            [
                FieldPanel("processing_time_days"),
                FieldPanel("tacit_approval"),
                FieldPanel("tacit_approval_days"),
                FieldPanel("redress_body"),
                FieldPanel("redress_deadline_days"),
            ],
            heading=_("Time limits and redress"),
        ),
        FieldPanel("legal_basis"),
        FieldPanel("accepted_languages"),
        FieldPanel("minimum_loa"),
        FieldPanel("sdg_policy_code"),
        FieldPanel("applicability"),
        FieldPanel("form_definition"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("steps"),
        index.AutocompleteField("title"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields = [
        SynchronizedField("sequence"),
        SynchronizedField("applicability"),
        SynchronizedField("accepted_languages"),
        SynchronizedField("minimum_loa"),
        SynchronizedField("sdg_policy_code"),
        SynchronizedField("processing_time_days"),
        SynchronizedField("tacit_approval"),
        SynchronizedField("tacit_approval_days"),
        SynchronizedField("redress_deadline_days"),
    ]
    parent_page_types = ["procedures.ProcedureIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("procedure")

    def clean(self) -> None:
        super().clean()
        if self.tacit_approval and not self.tacit_approval_days:
            raise ValidationError(
                {"tacit_approval_days": _("Say after how many days silence means approval.")}
            )
        if not self.tacit_approval and self.tacit_approval_days:
            raise ValidationError(
                {"tacit_approval_days": _("Only for procedures where silence means approval.")}
            )

    def serve(self, request, *args, **kwargs):
        """The HTML page; its CPSV-AP JSON-LD (``Accept: application/ld+json``) is answered by the
        ``before_serve_page`` hook in wagtail_hooks.py. Caches keep the two apart by Accept."""
        response = super().serve(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        return response

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        # the page row holds the live content (drafts live in revisions): index what the finder sees
        if update_fields is None or "applicability" in update_fields:
            ApplicabilityIndexEntry.reindex(self)
        return result

    @property
    def last_updated(self):
        """Set by Wagtail each time a revision is published."""
        return self.last_published_at

    @cached_property
    def language_codes(self) -> list[str]:
        return split_language_codes(self.accepted_languages)

    @cached_property
    def localized_authority(self) -> CompetentAuthority:
        authority = self.competent_authority
        # a page is served in its own language: its authority is usually in it already (no query)
        return authority if authority.locale_id == self.locale_id else authority.localized


class ApplicabilityIndexEntry(models.Model):
    """One row per (rule, activity code) of a procedure page's live applicability rules, so the
    finder selects the procedures that apply with one indexed query instead of evaluating every
    page's rules in Python. Rebuilt whenever the page row is saved (publishing saves it)."""

    ANY_ACTIVITY = ""

    procedure = models.ForeignKey(ProcedurePage, on_delete=models.CASCADE, related_name="+")
    rule_number = models.PositiveSmallIntegerField()
    # a NACE section letter or code prefix; "" for a rule that holds for every activity
    activity = models.CharField(max_length=5, blank=True)
    provision = models.CharField(max_length=20)
    # "|sole_trader|branch|": the legal forms the rule asks for, "" for every legal form
    legal_forms = models.CharField(max_length=255, blank=True)
    employs_staff = models.CharField(max_length=5)
    establishment_region = models.CharField(max_length=10)

    class Meta:
        indexes = [models.Index(fields=["activity", "procedure"], name="applicability_activity")]

    def __str__(self) -> str:
        return f"procedure {self.procedure_id} rule {self.rule_number}: {self.activity or '*'}"

    @staticmethod
    def entries_for(procedure_id: int, rules: list[dict]) -> list[ApplicabilityIndexEntry]:
        entries = []
        for number, rule in enumerate(rules, start=1):
            legal_forms = list(rule.get("legal_forms") or [])
            for code in split_codes(rule.get("activity_codes") or "") or [
                ApplicabilityIndexEntry.ANY_ACTIVITY
            ]:
                entries.append(
                    ApplicabilityIndexEntry(
                        procedure_id=procedure_id,
                        rule_number=number,
                        activity=code,
                        provision=rule.get("provision") or "any",
                        legal_forms="|" + "|".join(legal_forms) + "|" if legal_forms else "",
                        employs_staff=rule.get("employs_staff") or "any",
                        establishment_region=rule.get("establishment_region") or "any",
                    )
                )
        return entries

    @classmethod
    def reindex(cls, procedure: ProcedurePage) -> None:
        cls.objects.filter(procedure=procedure).delete()
        rules = [dict(block.value) for block in procedure.applicability]
        cls.objects.bulk_create(cls.entries_for(procedure.pk, rules))
