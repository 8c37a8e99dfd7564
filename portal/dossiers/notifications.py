"""E-mails to the entrepreneur about their applications, each checkpointed by an
:class:`~portal.dossiers.models.ApplicantNotification` (one per application and event).

The delivery e-mails (delivered, delivery failed) belong to the submission pipeline and are sent by
``portal/submissions/notifications.py``.
"""
