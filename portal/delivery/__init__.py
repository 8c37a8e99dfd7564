"""The eDelivery gateway (AS4). So far: the AS4 codec in ``portal.delivery.as4``."""
