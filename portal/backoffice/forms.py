from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.dossiers.states import ApplicationState

MAX_MESSAGE = 10_000


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), required=False)
    mine = forms.BooleanField(label=_("Only applications assigned to me"), required=False)

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All open applications"))] + [
            (state.value, state.label) for state in states
        ]


class RequestInformationForm(forms.Form):
    message = forms.CharField(
        label=_("What do you need from the applicant?"),
        help_text=_(
            "The applicant reads this as it is, by e-mail and on the portal. The time limit stops until they reply."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_MESSAGE,
        error_messages={"required": _("Write what the applicant must send or explain.")},
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ApplicationState.APPROVED.value, _("Approve")),
            (ApplicationState.REFUSED.value, _("Refuse")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve or refuse the application.")},
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        help_text=_("The reasons for the decision, as the applicant will read them."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_MESSAGE,
        error_messages={"required": _("Give the reasons for the decision.")},
    )


class ReassignForm(forms.Form):
    assignee = forms.ChoiceField(
        label=_("Assign to"), error_messages={"required": _("Choose a member of your authority.")}
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(membership.user.pk): membership.user for membership in members}
        self.fields["assignee"].choices = [("", "---------")] + [
            (key, f"{user} ({user.email})") for key, user in self.members.items()
        ]

    def clean_assignee(self):
        return self.members[self.cleaned_data["assignee"]]


class StatisticsPeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Decisions of the last"),
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("12 months"))],
        coerce=int,
        initial=90,
        required=False,
        empty_value=90,
    )
