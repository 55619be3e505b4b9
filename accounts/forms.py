from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


class LanguageForm(forms.ModelForm):
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Same as my browser"))] + list(settings.LANGUAGES),
        help_text=_("The language of every page you see here, on any computer you sign in from."),
    )

    class Meta:
        model = User
        fields = ["preferred_language"]
