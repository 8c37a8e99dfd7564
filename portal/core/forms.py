from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Every form in the portal renders through the design system's accessible templates:
    labels tied to inputs, hints and errors referenced by aria-describedby, an error summary."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
