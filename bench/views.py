"""The floor view: the cheapest page the stack can serve to a signed-in user.

Served at /_bench/floor only while the harness runs (BENCH_FLOOR=1, see empathy/urls.py). It
goes through the whole middleware stack (session, user, CSRF, CSP, login required), checks that
the user is signed in, and does nothing else, so its requests/s is the ceiling our pages are
measured against.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required  # LoginRequiredMiddleware already asks for this; said here too so it never depends on it
def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")
