"""What the site refuses, and how: admin logins after too many wrong passwords, methods the API does
not answer, TRACE, unknown Host headers; the API's errors are JSON."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from archive import views

from .test_deploy import PRODUCTION, manage

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_superuser("curator", "curator@example.org", PASSWORD)


def log_in(client, password, username="curator", address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_wrong_passwords_lock_the_username_out_even_with_the_right_password(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    refused = log_in(client, PASSWORD)
    assert refused.status_code == 429
    assert "登录尝试过多" in refused.content.decode()
    assert "15 分钟" in refused.content.decode()
    assert not logged_in(client)


def test_the_lockout_is_for_that_username_from_that_address_only(client, curator, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(Client(), PASSWORD, address="192.0.2.7").status_code == 302, "another address"
    assert log_in(Client(), PASSWORD, username="editor").status_code == 302, "another username"


def test_fewer_wrong_passwords_than_the_limit_do_not_lock_and_a_login_clears_them(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200  # the form again, with its error
    assert log_in(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_after_the_cool_off_the_right_password_is_accepted(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert log_in(client, PASSWORD).status_code == 302
    assert logged_in(client)


# The API's errors are JSON; TRACE and other methods are refused.


def assert_json_error(response, status: int, error: str):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == status
    assert response.json()["error"] == error
    assert response.json()["message"]


@pytest.mark.parametrize("path", ["/api/articles/99999", "/api/nothing-here", "/api/search/"])
def test_an_unknown_api_address_is_a_json_404(client, path):
    assert_json_error(client.get(path), 404, "not found")


def test_an_unknown_page_is_still_the_sites_404_page(client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert "没有找到这个页面" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options", "trace"])
@pytest.mark.parametrize("path", ["/api/search", "/api/articles/1"])
def test_the_api_answers_get_and_head_only_and_never_runs_the_view_for_others(client, monkeypatch, method, path):
    monkeypatch.setattr(views, "search", lambda params: pytest.fail("the view ran"))
    response = getattr(client, method)(path)
    assert_json_error(response, 405, "method not allowed")
    assert response["Allow"] == "GET, HEAD"


def test_head_on_the_api_is_answered(client, search_index):
    assert client.head("/api/search", {"q": "公安"}).status_code == 200


@pytest.mark.parametrize("path", ["/", "/search/", "/about/", "/admin/login/", "/static/css/site.css"])
def test_trace_is_refused_everywhere(client, path):
    response = client.generic("TRACE", path)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_a_server_error_in_the_api_is_json_and_on_a_page_the_sites_500(client, monkeypatch, search_index):
    def broken(params):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "search", broken)
    client.raise_request_exception = False
    assert_json_error(client.get("/api/search", {"q": "公安"}), 500, "server error")
    page = client.get("/search/", {"q": "公安"})
    assert page.status_code == 500
    assert "服务器出错了" in page.content.decode()


# A Host header not in ALLOWED_HOSTS: 400, logged in one line.


def test_a_disallowed_host_is_a_400_logged_in_one_line(tmp_path):
    request = (
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "print(client.get('/', secure=True, HTTP_HOST='evil.example').status_code)\n"
        "print(client.get('/api/search', secure=True, HTTP_HOST='evil.example').json()['error'])"
    )
    (tmp_path / "static").mkdir()  # nothing else to say on stderr
    done = manage("shell", "--no-imports", "-c", request, **PRODUCTION, ARCHIVE_DATA_DIR=str(tmp_path))
    assert done.stdout.split() == ["400", "bad", "request"], done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, done.stderr  # one a request: no traceback
    for line in lines:
        assert "ERROR django.security.DisallowedHost: Invalid HTTP_HOST header: 'evil.example'." in line
