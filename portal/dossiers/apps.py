from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "portal.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"
