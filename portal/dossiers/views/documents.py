"""Pages and actions for documents: upload on a step, reuse from the eSafe, the eSafe itself, downloads.

Every view reads dossiers and documents through the owner (``selectors.dossier_of``,
``vault.vault_document_of``): another user's id is a 404. Uploads go through
:class:`~portal.dossiers.uploads.LimitedUploadHandler`, installed before the body is read (hence
``csrf_exempt`` outside and ``csrf_protect`` inside: the CSRF check itself reads the body)."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.downloads import file_response
from portal.dossiers import selectors, vault
from portal.dossiers.documents import DocumentRefused, check_upload, too_large
from portal.dossiers.uploads import LimitedUploadHandler, parse_keeping_raw_file_names, unsafe_file_name


def _application_step(request: HttpRequest, public_id, step_key: str):
    dossier = selectors.dossier_of(request.user, public_id)
    application = dossier.applications.filter(public_id=step_key).first() if _is_uuid(step_key) else None
    if application is None:
        raise Http404("No such step in this dossier.")
    return dossier, application


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _step_url(dossier, application, concept: str = "") -> str:
    url = reverse("dossiers:step", args=[dossier.public_id, application.public_id])
    return url + (f"#documents-{concept.replace('.', '__')}" if concept else "#documents")


def _refused(request, dossier, application, concept: str, error: str, status: int = 400) -> HttpResponse:
    return render(
        request,
        "dossiers/documents/refused.html",
        {"error": error, "back_url": _step_url(dossier, application, concept), "dossier": dossier},
        status=status,
    )


@csrf_exempt
@login_required
@require_POST
def upload(request: HttpRequest, public_id, step_key: str, concept: str) -> HttpResponse:
    dossier, application = _application_step(request, public_id, step_key)
    policy = vault.policy_for(application, concept)
    if policy is None:
        raise Http404("This application does not ask for that document.")
    if request.content_type != "multipart/form-data":
        # not a file upload form: refused before the body is read
        return _refused(request, dossier, application, concept, _("Choose a file to upload."))
    handler = LimitedUploadHandler(policy.max_bytes, request)
    request.upload_handlers = [handler]
    raw_names = parse_keeping_raw_file_names(request)
    if handler.refusal == "too_large":
        # refused before the body was read (or as soon as it passed the limit): nothing was kept
        return _refused(request, dossier, application, concept, str(too_large(policy)), status=413)
    if handler.refusal == "several_files":
        return _refused(request, dossier, application, concept, _("Upload one file at a time."))
    for raw_name in raw_names:
        if reason := unsafe_file_name(raw_name):
            return _refused(request, dossier, application, concept, reason)
    return _checked_upload(request, dossier, application, policy)


@csrf_protect
def _checked_upload(request, dossier, application, policy) -> HttpResponse:
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return _refused(request, dossier, application, policy.concept, _("Choose a file to upload."))
    try:
        checked = check_upload(uploaded.read(), uploaded.name, policy)
        document = vault.store_upload(
            owner=request.user, application=application, policy=policy, checked=checked
        )
    except DocumentRefused as error:
        return _refused(request, dossier, application, policy.concept, str(error))
    document = vault.scan_or_retry_later(document)
    messages.success(request, _upload_message(document))
    return redirect(_step_url(dossier, application, policy.concept))


def _upload_message(document) -> str:
    if document.scan_status == "infected":
        return _("“%(name)s” was refused: the virus scan found %(what)s. The file was deleted.") % {
            "name": document.display_name,
            "what": document.scan_result,
        }
    if document.scan_status == "pending_scan":
        return _("“%(name)s” was uploaded and waits for its virus scan; it counts once the scan is done.") % {
            "name": document.display_name
        }
    return _("“%(name)s” was uploaded and kept in your eSafe.") % {"name": document.display_name}


@login_required
@require_POST
def attach(request: HttpRequest, public_id, step_key: str, concept: str) -> HttpResponse:
    dossier, application = _application_step(request, public_id, step_key)
    if vault.policy_for(application, concept) is None:
        raise Http404("This application does not ask for that document.")
    document = (
        vault.vault_document_of(request.user, request.POST.get("document", ""))
        if _is_uuid(request.POST.get("document", ""))
        else None
    )
    if document is None:
        return _refused(request, dossier, application, concept, _("Choose a document of your eSafe."))
    try:
        vault.attach_from_vault(
            owner=request.user, application=application, concept=concept, document_id=document.public_id
        )
    except DocumentRefused as error:
        return _refused(request, dossier, application, concept, str(error))
    messages.success(request, _("“%(name)s” was added from your eSafe.") % {"name": document.display_name})
    warning = vault.expiry_warning(document)
    if warning:
        messages.warning(request, f"{document.display_name}: {warning}")
    return redirect(_step_url(dossier, application, concept))


@login_required
@require_POST
def detach(request: HttpRequest, public_id, step_key: str, attachment_id: int) -> HttpResponse:
    dossier, application = _application_step(request, public_id, step_key)
    try:
        vault.detach(owner=request.user, application=application, attachment_id=attachment_id)
    except DocumentRefused as error:
        return _refused(request, dossier, application, "", str(error))
    messages.success(request, _("The document was removed from this application; it stays in your eSafe."))
    return redirect(_step_url(dossier, application))


class MetadataForm(forms.Form):
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=255, required=False)
    issue_date = forms.DateField(
        label=gettext_lazy("Date of issue"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expiry_date = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty if the document does not expire."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the document"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = (
            [("", gettext_lazy("Not said"))]
            + [(code, name) for code, name in settings.LANGUAGES]
            + [(code, name) for code, name in _OTHER_LANGUAGES]
        )

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issue_date"), cleaned.get("expiry_date")
        if issued and expires and expires < issued:
            self.add_error("expiry_date", _("The document cannot expire before it was issued."))
        return cleaned


_OTHER_LANGUAGES = [
    ("pt", gettext_lazy("Portuguese")),
    ("es", gettext_lazy("Spanish")),
    ("it", gettext_lazy("Italian")),
    ("nl", gettext_lazy("Dutch")),
    ("pl", gettext_lazy("Polish")),
]


@login_required
@require_GET
def esafe(request: HttpRequest) -> HttpResponse:
    documents = list(vault.vault_of(request.user).prefetch_related("attachments__application__dossier"))
    rows = [{"document": document, "warning": vault.expiry_warning(document)} for document in documents]
    return render(request, "dossiers/documents/esafe.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def esafe_document(request: HttpRequest, document_id) -> HttpResponse:
    document = vault.vault_document_of(request.user, document_id)
    if document is None:
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "delete":
        try:
            vault.delete_from_vault(owner=request.user, document=document)
        except DocumentRefused as error:
            messages.error(request, str(error))
            return redirect("dossiers:esafe-document", document_id=document.public_id)
        messages.success(
            request, _("“%(name)s” was deleted from your eSafe.") % {"name": document.display_name}
        )
        return redirect("dossiers:esafe")
    status = 200
    if request.method == "POST":
        form = MetadataForm(request.POST)
        if form.is_valid():
            vault.update_metadata(owner=request.user, document=document, values=form.cleaned_data)
            messages.success(
                request, _("The details of “%(name)s” were saved.") % {"name": document.display_name}
            )
            return redirect("dossiers:esafe")
        status = 400
    else:
        form = MetadataForm(
            initial={
                "issuer": document.issuer,
                "issue_date": document.issue_date,
                "expiry_date": document.expiry_date,
                "language": document.language,
            }
        )
    context = {
        "document": document,
        "form": form,
        "warning": vault.expiry_warning(document),
        "attachments": document.attachments.select_related("application__dossier"),
    }
    return render(request, "dossiers/documents/esafe_document.html", context, status=status)


@login_required
@require_GET
def download(request: HttpRequest, document_id) -> FileResponse:
    """The file, to its owner only, as an attachment the browser does not sniff or run."""
    document = vault.vault_document_of(request.user, document_id)
    if document is None or not document.stored_name:
        raise Http404
    return file_response(
        storages["private"].open(document.stored_name, "rb"), document.display_name, document.mime_type
    )


def step_documents(dossier, step, user) -> list[dict]:
    """For the step template: each evidence request with its policy, attached documents and the eSafe
    documents that could be reused for it."""
    application = step.application
    if application is None or not step.document_fields:
        return []
    attachments = list(application.documents.select_related("document__validation_report"))
    attached_ids = {a.document_id for a in attachments}
    reusable = [d for d in vault.vault_of(user) if d.scan_status != "infected" and d.pk not in attached_ids]
    sections = []
    for item in step.document_fields:
        policy = vault.policy_for(application, item["concept"])
        mine = [a for a in attachments if a.concept == item["concept"]]
        sections.append(
            {
                "item": item,
                "policy": policy,
                "anchor": f"documents-{item['concept'].replace('.', '__')}",
                "attachments": [{"attachment": a, "warning": vault.expiry_warning(a.document)} for a in mine],
                "reusable": [
                    {"document": d, "warning": vault.expiry_warning(d)}
                    for d in reusable
                    if not d.evidence_type or d.evidence_type == policy.evidence_type
                ],
                "upload_url": reverse(
                    "dossiers:document-upload",
                    args=[dossier.public_id, application.public_id, item["concept"]],
                ),
                "attach_url": reverse(
                    "dossiers:document-attach",
                    args=[dossier.public_id, application.public_id, item["concept"]],
                ),
            }
        )
    return sections
