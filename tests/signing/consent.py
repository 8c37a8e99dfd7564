"""The user at the test QTSP's consent page, as a browser would do it over HTTP."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import requests


def consent_at_qtsp(url: str, *, approve: bool = True) -> str:
    """Open the consent page, read the one-time code shown, type it, press Sign (or Cancel).
    Returns where the QTSP sends the browser back to (its redirect's Location)."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    transaction = re.search(r'name="transaction" value="([^"]+)"', page.text).group(1)
    code = re.search(r'<output id="one-time-code">(\d+)</output>', page.text).group(1)
    answer = requests.post(
        urljoin(url, "/oauth2/authorize"),
        data={"transaction": transaction, "otp": code, "decision": "approve" if approve else "deny"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]
