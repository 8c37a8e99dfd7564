from django import template

from portal.dossiers.submission_status import DeliveryStatus, delivery_status

register = template.Library()


@register.simple_tag
def application_delivery(application) -> DeliveryStatus:
    """``{% application_delivery application as status %}``: the honest delivery status of one application."""
    return delivery_status(application)
