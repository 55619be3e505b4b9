from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import User


class LanguageForm(forms.ModelForm):
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        # Each language in its own name, so a reader finds theirs whatever the page's language.
        choices=[("", _("Same as my browser"))]
        + [(code, get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES],
        help_text=_("The language of every page you see here, on any computer you sign in from."),
    )

    class Meta:
        model = User
        fields = ["preferred_language"]
