"""Safe to put on the internet: security headers, the production settings, and the admin behind a login."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from archive.models import Article

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3J9-vQ2xN7pL5wR8tY1zA4sD6fG0hJ3mB9nC2vX5qW7eR1tY8uI4oP6aS0dF3gH",
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """A manage.py command in a fresh process, with only the given DJANGO_ variables set."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env})


def assert_security_headers(response):
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_send_the_security_headers(client):
    assert_security_headers(client.get("/about/"))


def test_the_api_sends_the_security_headers(client, search_index):
    response = client.get("/api/search", {"q": "公安"})
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_the_admin_asks_for_a_login_under_the_same_headers(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    login = client.get(response["Location"])
    assert login.status_code == 200
    assert_security_headers(login)


def test_the_admin_change_page_renders_under_the_headers(admin_client, search_index):
    call_command("import_dumps", str(FIXTURES / "bare.txt"), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    response = admin_client.get(f"/admin/archive/article/{Article.objects.get().pk}/change/")
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("env, missing", [
    ({}, ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"]),
    ({"DJANGO_ALLOWED_HOSTS": "archive.example.org"}, ["DJANGO_SECRET_KEY"]),
    ({"DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"]}, ["DJANGO_ALLOWED_HOSTS"]),
    ({"DJANGO_ALLOWED_HOSTS": "archive.example.org",
      "DJANGO_SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"}, ["DJANGO_SECRET_KEY"]),
    ({"DJANGO_ALLOWED_HOSTS": "archive.example.org", "DJANGO_SECRET_KEY": "x"}, ["DJANGO_SECRET_KEY"]),
    ({"DJANGO_ALLOWED_HOSTS": "archive.example.org", "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"][:49]},
     ["DJANGO_SECRET_KEY"]),
    ({"DJANGO_ALLOWED_HOSTS": "archive.example.org", "DJANGO_SECRET_KEY": "abab" * 20}, ["DJANGO_SECRET_KEY"]),
])
def test_production_refuses_to_start_without_a_secret_key_and_hosts(env, missing):
    result = manage("check", DJANGO_DEBUG="0", **env)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("django.core.exceptions.ImproperlyConfigured: With DJANGO_DEBUG=0, set ")
    for name in ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"]:
        assert (name in message) == (name in missing), message
    if "DJANGO_SECRET_KEY" in missing:
        assert "at least 50 characters" in message


def test_a_secret_key_of_50_characters_is_accepted():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"][:50]})
    assert result.returncode == 0, result.stderr


def test_the_deployment_check_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_plain_http_is_a_documented_switch_that_the_deployment_check_reports():
    result = manage("check", "--deploy", **PRODUCTION, DJANGO_HTTPS="0")
    assert result.returncode == 0, result.stderr
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in result.stderr, warning


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)  # the live server reads committed data
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (Debian's chromium package)")
def test_the_site_and_the_admin_work_in_a_browser_under_the_policy(live_server, search_index, django_user_model,
                                                                    monkeypatch):
    """Pages, charts and Django's admin load their scripts and styles from files: the policy blocks nothing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install-dev)")
    # Playwright's event loop runs in this thread; the database calls made here are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("import_dumps", str(FIXTURES / "bare.txt"), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    django_user_model.objects.create_superuser("curator", "curator@example.org", "a long test password")
    article = Article.objects.get()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page()
        page.set_default_timeout(10_000)
        refused = []
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        for path in ["/", f"/articles/{article.pk}/", "/search/?q=公安", "/cities/", "/about/"]:
            page.goto(live_server.url + path)
            assert page.locator("link[rel=stylesheet]").evaluate("link => link.sheet.cssRules.length") > 0
        page.goto(live_server.url + "/admin/")
        page.fill("#id_username", "curator")
        page.fill("#id_password", "a long test password")
        page.click("input[type=submit]")
        page.wait_for_url(live_server.url + "/admin/")
        page.goto(f"{live_server.url}/admin/archive/article/{article.pk}/change/")
        page.wait_for_load_state("load")
        # The admin's scripts ran: its theme switch and the "save and continue" buttons are there.
        assert page.locator("button.theme-toggle").count() == 1
        assert page.locator("input[name=_continue]").count() == 1
        page.goto(live_server.url + "/admin/archive/article/")
        page.wait_for_load_state("load")
        browser.close()
    assert refused == []


def test_a_data_folder_collected_by_make_serve_serves_with_debug_off(tmp_path):
    """`make serve` collects its static files with debugging on; the same folder then serves with
    DJANGO_DEBUG=0: hashed names from the manifest, and the files under those names."""
    for step in [("migrate", "--noinput", "-v0"), ("collectstatic", "--noinput", "-v0")]:
        done = manage(*step, ARCHIVE_DATA_DIR=str(tmp_path))
        assert done.returncode == 0, done.stderr
    request = (
        "import re; from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "page = client.get('/about/', secure=True, HTTP_HOST='archive.example.org')\n"
        "css = re.search(r'href=\"(/static/css/[^\"]+)\"', page.content.decode()).group(1)\n"
        "print(page.status_code, css, client.get(css, secure=True, HTTP_HOST='archive.example.org').status_code)"
    )
    done = manage("shell", "--no-imports", "-c", request, **PRODUCTION, ARCHIVE_DATA_DIR=str(tmp_path))
    status, css, css_status = done.stdout.split()
    assert (status, css_status) == ("200", "200"), done.stderr
    assert css != "/static/css/site.css", "production links the hashed name"
    debugging = manage("shell", "--no-imports", "-c", request.replace("archive.example.org", "127.0.0.1"),
                       ARCHIVE_DATA_DIR=str(tmp_path))
    assert debugging.stdout.split()[1] == "/static/css/site.css", "debugging links the plain name"


def test_a_server_error_in_production_is_logged_with_its_traceback_to_stderr(tmp_path):
    request = (
        "from django.test import Client; from archive import views\n"
        "def broken(params): raise RuntimeError('the index is gone')\n"
        "views.search = broken\n"
        "print(Client(raise_request_exception=False).get('/search/?q=x', secure=True,"
        " HTTP_HOST='archive.example.org').status_code)"
    )
    collected = manage("collectstatic", "--noinput", **PRODUCTION, ARCHIVE_DATA_DIR=str(tmp_path))
    assert collected.returncode == 0, collected.stderr
    done = manage("shell", "--no-imports", "-c", request, **PRODUCTION, ARCHIVE_DATA_DIR=str(tmp_path))
    assert done.stdout.strip() == "500", done.stderr
    assert "ERROR django.request: Internal Server Error: /search/" in done.stderr
    assert "RuntimeError: the index is gone" in done.stderr
