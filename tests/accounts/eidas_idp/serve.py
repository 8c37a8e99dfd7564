"""A pysaml2 identity provider answering like an eIDAS node, for the tests.

``python -m tests.accounts.eidas_idp.serve PORT IDP_KEY IDP_CERT SP_METADATA[,...] SP_CERT OUT_METADATA``

GET /sso/redirect takes the portal's signed AuthnRequest (HTTP-Redirect binding; an unsigned or
badly signed request is answered 400) plus a test-only ``person`` parameter that stands for what the
citizen does at the node: "jean" (natural + legal person, LoA substantial), "low" (LoA low),
"refuse" (RequestDenied). ``audience`` and ``expired`` make the node misbehave. The answer is the
HTTP-POST form the browser would submit: a signed Response with a signed, encrypted Assertion.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT
from saml2.samlp import STATUS_REQUEST_DENIED
from saml2.server import Server

ATTRIBUTE_MAPS = str(
    Path(__file__).resolve().parents[3] / "portal" / "accounts" / "eidas_saml" / "attributemaps"
)
PEOPLE = {
    "jean": (
        "substantial",
        {
            "PersonIdentifier": ["FR/BE/1984022912345"],
            "FamilyName": ["Dupont-Étienne"],
            "FirstName": ["Jean"],
            "DateOfBirth": ["1984-02-29"],
            "LegalPersonIdentifier": ["FR/BE/552100554"],
            "LegalName": ["Dupont Conseil SARL"],
        },
    ),
    "low": (
        "low",
        {
            "PersonIdentifier": ["DE/BE/77001"],
            "FamilyName": ["Schmidt"],
            "FirstName": ["Anna"],
            "DateOfBirth": ["1990-07-14"],
        },
    ),
}


def idp_config(base: str, key: str, cert: str, sp_metadata: str, lifetime_minutes: int) -> IdPConfig:
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base}/idp/metadata",
            "xmlsec_binary": shutil.which("xmlsec1"),
            "attribute_map_dir": ATTRIBUTE_MAPS,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]
                    },
                    "want_authn_requests_signed": True,
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT, NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {"lifetime": {"minutes": lifetime_minutes}, "name_form": NAME_FORMAT_URI}
                    },
                }
            },
            "key_file": key,
            "cert_file": cert,
            "metadata": {"local": sp_metadata.split(",")},
        }
    )
    return config


@contextlib.contextmanager
def clock_behind(minutes: int):
    """Make pysaml2 date this node's messages ``minutes`` in the past: an answer that arrives stale."""
    import datetime as dt
    import time
    import types

    from saml2 import time_util

    shifted_time = types.SimpleNamespace(
        **{name: getattr(time, name) for name in dir(time) if not name.startswith("__")}
    )
    shifted_time.gmtime = lambda secs=None: time.gmtime(time.time() - minutes * 60 if secs is None else secs)

    class ShiftedDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.now(tz) - dt.timedelta(minutes=minutes)

    saved = time_util.time, time_util.datetime
    time_util.time, time_util.datetime = shifted_time, ShiftedDatetime
    try:
        yield
    finally:
        time_util.time, time_util.datetime = saved


def main(argv: list[str]) -> None:
    port, key, cert, sp_metadata, sp_cert_file, out_metadata = argv
    # served on 127.0.0.1, named "localhost" like the live test server: the answer POSTed back is then
    # same-site, which plain-http test browsers need for the SAML session cookie
    base = f"http://localhost:{port}"
    idp = Server(config=idp_config(base, key, cert, sp_metadata, 5))
    sp_cert = Path(sp_cert_file).read_text()

    def app(environ, start_response):
        try:
            return answer(environ, start_response)
        except Exception:  # a test peer: show the traceback to the test that called it
            import traceback

            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [traceback.format_exc().encode()]

    def answer(environ, start_response):
        if environ["PATH_INFO"] != "/sso/redirect":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        query = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
        if "Signature" not in query:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"unsigned AuthnRequest refused"]
        try:
            request = idp.parse_authn_request(
                query["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query.get("SigAlg"),
                signature=query.get("Signature"),
            )
        except Exception as error:  # the node refuses what it cannot verify
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [f"AuthnRequest refused: {error!r} ({error.__cause__!r})".encode()]
        if "person" not in query:  # what the citizen sees at the node: whom to authenticate as
            links = "".join(
                f'<li><a href="/sso/redirect?{environ["QUERY_STRING"]}&amp;person={key}">{label}</a></li>'
                for key, label in (
                    ("jean", "Jean Dupont-Étienne"),
                    ("low", "Anna Schmidt (low)"),
                    ("refuse", "Refuse"),
                )
            )
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            page = f'<!DOCTYPE html><html lang="en"><head><title>Test eIDAS node</title></head><body><main><h1>Test eIDAS node</h1><ul>{links}</ul></main></body></html>'
            return [page.encode()]
        stale = clock_behind(10) if query.get("expired") else contextlib.nullcontext()
        with stale:
            return respond(idp, request, query, start_response)

    def respond(server, request, query, start_response):
        response_args = server.response_args(request.message, [BINDING_HTTP_POST])
        person = query["person"]
        if person == "refuse":
            response = server.create_error_response(
                response_args["in_response_to"],
                response_args["destination"],
                (STATUS_REQUEST_DENIED, "The citizen did not consent."),
                sign=True,
            )
        else:
            level, attributes = PEOPLE[person]
            if query.get("audience"):
                response_args["sp_entity_id"] = query["audience"]
            response = server.create_authn_response(
                attributes,
                userid=attributes["PersonIdentifier"][0],
                authn={
                    "class_ref": f"http://eidas.europa.eu/LoA/{level}",
                    "authn_auth": f"{base}/idp/metadata",
                },
                sign_response=True,
                sign_assertion=True,
                encrypt_assertion=True,
                encrypt_cert_assertion=sp_cert,
                **response_args,
            )
        http = server.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            response_args["destination"],
            query.get("RelayState"),
            response=True,
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [http["data"].encode()]

    Path(out_metadata).write_text(create_metadata_string(None, config=idp.config, sign=False).decode())

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    make_server("127.0.0.1", int(port), app, handler_class=QuietHandler).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
