from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's.

    Runs after AuthenticationMiddleware (and LocaleMiddleware, which picked the language from
    the cookie or Accept-Language). When the user has a preferred language, it is activated
    for this request and the language cookie is set to it, so pages that are not signed in
    (sign-in after a timeout, a public link opened in the same browser) follow it too.
    No extra query: request.user is loaded by the login check on every page anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "preferred_language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class ClearSiteDataOnLogoutMiddleware:
    """Signing out tells the browser to drop this site's storage (`Clear-Site-Data: "storage"`).

    The note page keeps unsent notes in localStorage; on a shared computer they must not outlive
    the session. The header works whichever page the sign-out came from (the menu's form, allauth's
    confirmation page). Cookies are kept (the language and CSRF cookies are not personal data).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and request.path == _logout_path():
            response["Clear-Site-Data"] = '"storage"'
        return response


def _logout_path():
    from django.urls import reverse

    return reverse("account_logout")
