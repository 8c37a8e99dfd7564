"""Errors shared by the signing services and their Celery tasks."""


class RetryableSigningError(Exception):
    """The QTSP could not be reached: try again later."""
