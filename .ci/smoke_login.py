"""Sign in to a running server as the demo lead and open a demo campaign page."""

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

base = sys.argv[1]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

login_page = opener.open(f"{base}/accounts/login/").read().decode()
assert "Sign In" in login_page or "Sign in" in login_page, "login page did not render"
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
data = urllib.parse.urlencode(
    {"csrfmiddlewaretoken": token, "login": "lead@example.org", "password": "demo-password"}
).encode()
request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"})
home = opener.open(request).read().decode()
assert "My campaigns" in home, "signing in as the demo lead failed"
page = opener.open(f"{base}/c/attendance-policy/").read().decode()
assert "Chronic absence and the new attendance policy" in page, "demo campaign page did not render"
print("signed in as lead@example.org and opened /c/attendance-policy/")
