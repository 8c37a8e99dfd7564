"""Applicant e-mails are checkpointed under a free key ("received", "information_requested:<id>",
"decided", ...) rather than one of two delivery events; the existing rows keep their event as key."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0009_applicant_notification"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="applicantnotification", name="one_notification_per_event"),
        migrations.RenameField(model_name="applicantnotification", old_name="event", new_name="key"),
        migrations.AlterField(
            model_name="applicantnotification",
            name="key",
            field=models.CharField(max_length=100),
        ),
        migrations.AlterField(
            model_name="applicantnotification",
            name="state_change",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="dossiers.statechange",
            ),
        ),
        migrations.AddConstraint(
            model_name="applicantnotification",
            constraint=models.UniqueConstraint(fields=("application", "key"), name="one_notification_per_key"),
        ),
    ]
