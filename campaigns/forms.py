from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Campaign, Goal, Role


class DateInput(forms.DateInput):
    input_type = "date"


class DateRangeMixin:
    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date must be on or after the start date."))
        return cleaned


class CampaignCreateForm(DateRangeMixin, forms.ModelForm):
    issue_statement = forms.CharField(
        label=_("First issue statement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What problem are we trying to understand, for whom? You will refine it as you listen."),
    )
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One goal per line."),
    )

    class Meta:
        model = Campaign
        fields = ["title", "policy_context", "starts_on", "ends_on"]
        widgets = {
            "policy_context": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput,
            "ends_on": DateInput,
        }

    def goal_lines(self):
        return [line.strip() for line in self.cleaned_data["goals"].splitlines() if line.strip()]


class CampaignSettingsForm(DateRangeMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "policy_context",
            "status",
            "starts_on",
            "ends_on",
            "checklist_inequity",
            "checklist_perspectives",
            "checklist_next_step",
        ]
        widgets = {
            "policy_context": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput,
            "ends_on": DateInput,
            "checklist_inequity": forms.Textarea(attrs={"rows": 3}),
            "checklist_perspectives": forms.Textarea(attrs={"rows": 3}),
            "checklist_next_step": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_status(self):
        # Synthesis waits for the priority groups' interview targets (issue 3), unless overridden.
        from participants.services import synthesis_blockers

        status = self.cleaned_data["status"]
        if status == Campaign.Status.SYNTHESIZING and self.initial.get("status") != status:
            unmet = synthesis_blockers(self.instance)
            if unmet:
                groups = "; ".join(f"{u.group.name} ({u.interviewed}/{u.group.target})" for u in unmet)
                raise forms.ValidationError(
                    _(
                        "Priority targets are not met yet: %(groups)s. Reach them, or record an override reason "
                        "under Participants → Priority groups."
                    ),
                    params={"groups": groups},
                    code="targets_unmet",
                )
        return status


GoalFormSet = forms.inlineformset_factory(
    Campaign, Goal, fields=["text"], extra=2, can_delete=True, widgets={"text": forms.TextInput()}
)


class IssueStatementForm(forms.Form):
    text = forms.CharField(label=_("New issue statement"), widget=forms.Textarea(attrs={"rows": 4}))
    rationale = forms.CharField(
        label=_("Why this change?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What did you hear that changed your understanding?"),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.INTERVIEWER)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = get_user_model()(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
