from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LANGUAGE_CHOICES, ConsentForm, ConsentRecord, ParticipantLink, TransparencyStatement
from .selectors import ConsentStatus

Kind = ConsentRecord.Kind


class DateInput(forms.DateInput):
    input_type = "date"


class StatementForm(forms.ModelForm):
    """The guided form: one question per thing the method asks us to be transparent about."""

    class Meta:
        model = TransparencyStatement
        fields = list(TransparencyStatement.CONTENT_FIELDS)
        widgets = {
            "why": forms.Textarea(attrs={"rows": 3}),
            "data_use": forms.Textarea(attrs={"rows": 3}),
            "raw_notes_access": forms.Textarea(attrs={"rows": 2}),
            "identifying_data": forms.Textarea(attrs={"rows": 2}),
            "anonymization": forms.Textarea(attrs={"rows": 3}),
            "retain_until": DateInput,
            "retention": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_retain_until(self):
        value = self.cleaned_data["retain_until"]
        if value and value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date in the future."))
        return value


class ConsentFormForm(forms.ModelForm):
    class Meta:
        model = ConsentForm
        fields = list(ConsentForm.CONTENT_FIELDS)
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5}),
            "guardian_text": forms.Textarea(attrs={"rows": 3}),
            "assent_text": forms.Textarea(attrs={"rows": 3}),
        }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Add a language"), choices=LANGUAGE_CHOICES)


class ScopesMixin(forms.Form):
    may_quote = forms.BooleanField(label=_("May be quoted in reports (without their name)"), required=False)
    attribution = forms.ChoiceField(
        label=_("When quoted, describe them as"),
        choices=ConsentRecord.Attribution.choices,
        initial=ConsentRecord.Attribution.NONE,
        widget=forms.RadioSelect,
    )
    may_recontact = forms.BooleanField(label=_("May be contacted again later"), required=False)


class RecordConsentForm(ScopesMixin, forms.Form):
    """Staff record a consent, a guardian's consent or an assent given on paper or aloud."""

    kind = forms.ChoiceField(label=_("What is being recorded"), widget=forms.RadioSelect)
    form = forms.ModelChoiceField(label=_("Form version they agreed to"), queryset=ConsentForm.objects.none())
    method = forms.ChoiceField(
        label=_("How it was given"),
        choices=[(v, label) for v, label in ConsentRecord.Method.choices if v != ConsentRecord.Method.ELECTRONIC],
    )
    given_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    guardian_name = forms.CharField(
        label=_("Parent or guardian's name"),
        max_length=200,
        required=False,
        help_text=_("Needed for a guardian's consent."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    field_order = [
        "kind",
        "form",
        "method",
        "given_on",
        "guardian_name",
        "may_quote",
        "attribution",
        "may_recontact",
        "note",
    ]

    def __init__(self, *args, campaign, status: ConsentStatus, **kwargs):
        super().__init__(*args, **kwargs)
        participant = status.participant
        kinds = [Kind.GUARDIAN, Kind.ASSENT] if participant.is_minor else [Kind.CONSENT]
        self.fields["kind"].choices = [(k, Kind(k).label) for k in kinds]
        self.fields["kind"].initial = status.missing[0] if status.missing else kinds[0]
        forms_qs = ConsentForm.objects.current().filter(campaign=campaign).order_by("language")
        self.fields["form"].queryset = forms_qs
        self.fields["form"].label_from_instance = lambda f: f"{f.language_name} · v{f.version} · {f.title}"
        preferred = next((f for f in forms_qs if f.language == participant.preferred_language), None)
        if preferred is not None:
            self.fields["form"].initial = preferred.pk
        if not participant.is_minor:
            del self.fields["guardian_name"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Kind.GUARDIAN and not cleaned.get("guardian_name", "").strip():
            self.add_error("guardian_name", _("Enter the name of the parent or guardian."))
        if cleaned.get("given_on") and cleaned["given_on"] > timezone.localdate():
            self.add_error("given_on", _("The date cannot be in the future."))
        return cleaned


class StaffWithdrawForm(forms.Form):
    given_by = forms.ChoiceField(
        label=_("Who asked to withdraw"),
        choices=ConsentRecord.GivenBy.choices,
        widget=forms.RadioSelect,
        initial=ConsentRecord.GivenBy.PARTICIPANT,
    )
    method = forms.ChoiceField(label=_("How they told us"), choices=ConsentRecord.Method.choices[:2])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class PurgeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    confirm_code = forms.CharField(label=_("Type the participant's code to confirm"), max_length=16)

    def __init__(self, *args, code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.code = code

    def clean_confirm_code(self):
        value = self.cleaned_data["confirm_code"].strip().upper()
        if value != self.code.upper():
            raise forms.ValidationError(_("That is not this participant's code."))
        return value


class LinkCreateForm(forms.Form):
    recipient = forms.ChoiceField(
        label=_("The link is for"),
        choices=[
            (ParticipantLink.Recipient.GUARDIAN, _("The parent or guardian (gives the guardian's consent)")),
            (ParticipantLink.Recipient.PARTICIPANT, _("The student (gives their own assent)")),
        ],
        widget=forms.RadioSelect,
        initial=ParticipantLink.Recipient.GUARDIAN,
        help_text=_("Each has their own link: a student cannot give the guardian's consent."),
    )
    delivery = forms.ChoiceField(
        label=_("Send the link by"),
        choices=ParticipantLink.Delivery.choices,
        widget=forms.RadioSelect,
        initial=ParticipantLink.Delivery.PRINT,
    )

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        if not participant.is_minor:
            # An adult's link is their own.
            del self.fields["recipient"]

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("recipient", ParticipantLink.Recipient.PARTICIPANT)
        return cleaned


class OverviewFilterForm(forms.Form):
    STATES = [
        ("", _("Any consent state")),
        ("complete", _("Consented")),
        ("none", _("No consent")),
        ("partial", _("Incomplete (minor)")),
        ("missing_guardian", _("Missing guardian consent")),
        ("missing_assent", _("Missing student assent")),
        ("withdrawn", _("Withdrawn")),
    ]
    state = forms.ChoiceField(label=_("Consent"), choices=STATES, required=False)
    minor = forms.ChoiceField(
        label=_("Age"), required=False, choices=[("", _("Everyone")), ("yes", _("Minors")), ("no", _("Adults"))]
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    q = forms.CharField(label=_("Code"), required=False, max_length=16)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from participants.models import LANGUAGES

        self.fields["language"].choices = [("", _("Any language")), *LANGUAGES]


class PublicConsentForm(ScopesMixin, forms.Form):
    """What a participant or guardian fills in on their own link."""

    agree = forms.BooleanField(label=_("I have read the above and I agree"), required=True)
    guardian_name = forms.CharField(label=_("Your name (parent or guardian)"), max_length=200, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, prefix=kind, **kwargs)
        self.kind = kind
        if kind == Kind.GUARDIAN:
            self.fields["guardian_name"].required = True
            self.fields["agree"].label = _("I am the parent or guardian, I have read the above and I agree")
            self.fields["may_quote"].label = _("My child's words may be quoted in reports (without a name)")
            self.fields["may_recontact"].label = _("The team may contact us again later")
        else:
            del self.fields["guardian_name"]
        if kind == Kind.ASSENT:
            self.fields["agree"].label = _("I understand, and I want to take part")
            self.fields["may_quote"].label = _("My words may be used in the report (without my name)")
            self.fields["may_recontact"].label = _("The team may talk to me again later")


class PublicWithdrawForm(forms.Form):
    """Who withdraws is whom the link was made for (the participant, or a minor's guardian)."""

    confirm = forms.BooleanField(label=_("Yes, withdraw. I understand this cannot be undone."), required=True)
