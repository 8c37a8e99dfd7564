"""Reads of the signing block."""

from __future__ import annotations

from collections.abc import Callable

from .models import StoredValidationReport

# Further rules "may this user see this report?" registered by blocks that know more (the dossiers
# block: the competent authority a dossier was delivered to). Signing itself knows only the
# uploader and staff.
ReportAccessRule = Callable[[object, StoredValidationReport], bool]
_REPORT_ACCESS_RULES: list[ReportAccessRule] = []


def register_report_access_rule(rule: ReportAccessRule) -> ReportAccessRule:
    """Add a rule (user, report) -> bool; any rule that says yes lets the user see the report."""
    if rule not in _REPORT_ACCESS_RULES:
        _REPORT_ACCESS_RULES.append(rule)
    return rule


def can_view_report(user, report: StoredValidationReport) -> bool:
    """The one place that decides who may see a stored validation report."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or (report.uploaded_by_id is not None and report.uploaded_by_id == user.pk):
        return True
    return any(rule(user, report) for rule in _REPORT_ACCESS_RULES)


def viewable_report(user, report_id: int) -> StoredValidationReport | None:
    """The report if it exists and ``user`` may see it; None otherwise (callers answer 404 alike)."""
    report = StoredValidationReport.objects.filter(pk=report_id).first()
    return report if report is not None and can_view_report(user, report) else None


def signer_display_name(name: str | None = None) -> str:
    """The configured signer's name for users (default signer when ``name`` is None)."""
    from .signers import configured_signer

    return configured_signer(name).display_name


def signer_certificate_subject(name: str | None = None) -> str:
    """Whose certificate the configured signer signs with, as the QTSP reports it (one HTTP call,
    then cached for ten minutes)."""
    import aiohttp
    from django.core.cache import cache

    from .common import run_sync
    from .pdf_sign import _credential
    from .signers import configured_signer

    signer = configured_signer(name)
    setup = signer.setup()
    cache_key = f"signing:certificate-subject:{setup.service.session_url}:{setup.service.credential_id}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached

    async def subject() -> str:
        async with aiohttp.ClientSession() as session:
            _, credential = await _credential(session, setup)
        return credential.signing_cert.subject.human_friendly

    value = run_sync(subject())
    cache.set(cache_key, value, 600)
    return value


def batch_requests(batch_obj):
    """The batch's requests in the order their PDFs were given."""
    return batch_obj.requests.select_related("report").order_by("batch_position")
