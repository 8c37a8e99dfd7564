from django import template

from portal.dossiers.models import Application
from portal.submissions.selectors import DeliveryStatus, delivery_status

register = template.Library()


@register.simple_tag
def application_delivery(application: Application) -> DeliveryStatus:
    """``{% application_delivery application as status %}``: the honest delivery status of one application."""
    return delivery_status(application)
