# SubmissionPackage now lives in the submissions app (its 0001 takes the model over in state):
# removed here from state only, so its table and rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0010_notification_key'),
        ('submissions', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SubmissionPackage')],
            database_operations=[],
        ),
    ]
