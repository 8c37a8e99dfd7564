# The SubmissionPackage model moves here from the dossiers app: state only. Its table
# (dossiers_submissionpackage, created by dossiers 0005) and its rows stay where they are.

import django.db.models.deletion
from django.db import migrations, models

import portal.submissions.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('delivery', '0003_outbox_channel_pmode'),
        ('dossiers', '0009_applicant_notification'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SubmissionPackage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('transport', models.CharField(choices=[('as4', 'eDelivery (AS4)'), ('backoffice', 'portal back-office')], max_length=20)),
                        ('channel', models.JSONField(help_text="the delivery channel of the application's snapshot")),
                        ('container', models.FileField(blank=True, max_length=255, storage=portal.submissions.models.private_storage, upload_to='dossiers/submissions/')),
                        ('container_name', models.CharField(blank=True, max_length=255)),
                        ('container_sha256', models.CharField(blank=True, max_length=64)),
                        ('container_size', models.PositiveBigIntegerField(blank=True, null=True)),
                        ('built_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('handed_over_at', models.DateTimeField(blank=True, null=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('internal_receipt', models.JSONField(blank=True, null=True)),
                        ('failed_at', models.DateTimeField(blank=True, null=True)),
                        ('failure', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('application', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='submission', to='dossiers.application')),
                        ('outbox_message', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='delivery.outboxmessage')),
                    ],
                    options={
                        'verbose_name': 'submission package',
                        'ordering': ['application_id'],
                        'db_table': 'dossiers_submissionpackage',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
