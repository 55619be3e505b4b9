from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .forms import LanguageForm
from .middleware import set_language_cookie


def language(request):
    """Where a staff member chooses the language of the interface for themselves."""
    form = LanguageForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.preferred_language:
            translation.activate(user.preferred_language)
        messages.success(request, _("Your language is saved."))
        response = redirect("account_language")
        if user.preferred_language:
            set_language_cookie(response, user.preferred_language)
        return response
    return render(request, "account/language.html", {"form": form})


@login_not_required
@require_POST
def set_language(request):
    """The footer's language switch: Django's view, remembered on the account when signed in."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and code in dict(settings.LANGUAGES):
        user.preferred_language = code
        user.save(update_fields=["preferred_language"])
    return response
