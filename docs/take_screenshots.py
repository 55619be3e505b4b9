"""Take screenshots of the main pages of a running server with the system Chromium.

    python docs/take_screenshots.py http://127.0.0.1:8000 [name ...]

Signs in as the demo users (make run loads them) and writes docs/screenshots/<name>.png.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [
    # (file name, user, path)
    ("home", "lead", "/"),
    ("overview", "lead", "/c/attendance-policy/"),
    ("team", "lead", "/c/attendance-policy/team/"),
    ("issue", "lead", "/c/attendance-policy/issue/"),
    ("participants", "lead", "/c/attendance-policy/participants/"),
    ("coverage", "lead", "/c/attendance-policy/coverage/"),
    ("consent", "lead", "/c/attendance-policy/consent/"),
    ("guides", "lead", "/c/attendance-policy/guides/"),
    ("interviews", "lead", "/c/attendance-policy/interviews/"),
    ("board", "analyst", "/c/attendance-policy/synthesis/"),
    ("search", "analyst", "/c/attendance-policy/search/?q=bus"),
    ("root-causes", "analyst", "/c/attendance-policy/root-causes/"),
    ("exports", "lead", "/c/attendance-policy/exports/"),
    ("login", None, "/accounts/login/"),
]
OUT = Path(__file__).resolve().parent / "screenshots"


def main(base, only):
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        contexts = {}
        for name, user, path in PAGES:
            if only and name not in only:
                continue
            if user not in contexts:
                contexts[user] = browser.new_context(viewport={"width": 1280, "height": 860})
                if user:
                    page = contexts[user].new_page()
                    page.goto(f"{base}/accounts/login/")
                    page.fill("input[name=login]", f"{user}@example.org")
                    page.fill("input[name=password]", "demo-password")
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    page.close()
            page = contexts[user].new_page()
            response = page.goto(base + path)
            if response.status != 200:
                print(f"skip {name}: {path} answered {response.status}")
                continue
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
            print(f"wrote {OUT / name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), set(sys.argv[2:]))
