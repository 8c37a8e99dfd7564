"""Moving SubmissionPackage from the dossiers app to the submissions app moves no data: a database at
the migrations of the release before the move, with a dossier, its application, a package and its
outbox entry, migrates forward with every row, field and link intact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portal.delivery.models import OutboxMessage
from portal.dossiers.models import Application, Dossier
from portal.submissions.models import SubmissionPackage

# the leaf migrations before the move (dossiers' last one that still had the model)
BEFORE_THE_MOVE = [
    ("dossiers", "0009_applicant_notification"),
    ("delivery", "0003_outbox_channel_pmode"),
    ("submissions", None),
]
DELIVERED_AT = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # what was applied, as the next migrate sees it
    return executor


@pytest.mark.django_db(transaction=True)
def test_packages_and_their_outbox_entries_survive_the_move_to_the_submissions_app():
    old = migrate(BEFORE_THE_MOVE).loader.project_state(BEFORE_THE_MOVE[:2]).apps
    assert ("dossiers", "submissionpackage") in {
        (m._meta.app_label, m._meta.model_name) for m in old.get_models()
    }
    User = old.get_model("accounts", "User")
    owner = User.objects.create(email="ana@example.eu", password="!")
    dossier = old.get_model("dossiers", "Dossier").objects.create(
        owner=owner, language="pt", state="submitted"
    )
    application = old.get_model("dossiers", "Application").objects.create(
        dossier=dossier, procedure_id=42, procedure_snapshot={"title": "Trade licence"}, state="delivered"
    )
    entry = old.get_model("delivery", "OutboxMessage").objects.create(
        message_id="sent-1@psc.test", pmode="channel:authority", partner="authority-test",
        endpoint="https://authority.test/as4", partner_certificate="PEM", service="urn:s", action="Submit",
        conversation_id=str(dossier.public_id), reference=str(application.public_id),
        content_type="multipart/related", body="delivery/outbox/x.mime", body_sha256="a" * 64, body_size=10,
        max_attempts=8, state="acknowledged", receipt=b"<receipt/>", receipt_message_id="r-1@authority.test",
    )  # fmt: skip
    package = old.get_model("dossiers", "SubmissionPackage").objects.create(
        application=application, transport="as4", channel={"transport": "as4", "settings": {"party_id": "x"}},
        container="dossiers/submissions/c.asice", container_name="submission-1.asice",
        container_sha256="b" * 64, container_size=1234, outbox_message=entry, handed_over_at=DELIVERED_AT,
        delivered_at=DELIVERED_AT, last_error="", failure="",
    )  # fmt: skip

    executor = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert not executor.migration_plan(executor.loader.graph.leaf_nodes())  # fully migrated

    assert Dossier.objects.get().public_id == dossier.public_id
    moved = SubmissionPackage.objects.select_related("application__dossier", "outbox_message").get()
    assert moved.pk == package.pk
    assert (moved.application.pk, moved.application.public_id) == (application.pk, application.public_id)
    assert moved.application.dossier.public_id == dossier.public_id
    assert (moved.transport, moved.channel) == ("as4", {"transport": "as4", "settings": {"party_id": "x"}})
    assert (moved.container.name, moved.container_name, moved.container_sha256, moved.container_size) == (
        "dossiers/submissions/c.asice", "submission-1.asice", "b" * 64, 1234,
    )  # fmt: skip
    assert moved.handed_over_at == moved.delivered_at == DELIVERED_AT
    assert Application.objects.get().submission == moved  # the reverse accessor still works
    outbox = OutboxMessage.objects.get()
    assert moved.outbox_message == outbox
    assert (outbox.message_id, outbox.conversation_id, outbox.reference, bytes(outbox.receipt)) == (
        "sent-1@psc.test", str(dossier.public_id), str(application.public_id), b"<receipt/>",
    )  # fmt: skip
    assert SubmissionPackage._meta.db_table == "dossiers_submissionpackage"
