"""Requests refused before any view runs, and the API's error answers.

TRACE asks a server to echo the request back, cookies included: no page needs it, so it is refused
(405) on every path. Under /api/ every error answer is JSON (`json_error`), so that a client reads
one format whatever went wrong; the views' error handlers and the API's method check use it. A Host
header that is not one of ALLOWED_HOSTS is the client's mistake: Django answers 400 and logs it, in
one line (`OneLineFormatter`, set for that logger in settings.LOGGING).
"""

import logging

from django.http import HttpResponseNotAllowed, JsonResponse

API_PREFIX = "/api/"
API_METHODS = ("GET", "HEAD")
# What the site's pages answer (POST: the admin's forms), for the Allow header of a refused TRACE.
PAGE_METHODS = ("GET", "HEAD", "POST")


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, error: str, message: str) -> JsonResponse:
    """An API error: `error` a short name for programs, `message` what a person should know."""
    return JsonResponse({"status": status, "error": error, "message": message}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def method_not_allowed(request):
    """405 naming the methods this path answers: JSON under /api/."""
    if not is_api(request):
        return HttpResponseNotAllowed(PAGE_METHODS)
    response = json_error(405, "method not allowed", f"不接受 {request.method} 请求：请用 {' 或 '.join(API_METHODS)}。")
    response["Allow"] = ", ".join(API_METHODS)
    return response


class RefuseTraceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "TRACE":
            return method_not_allowed(request)
        return self.get_response(request)


class OneLineFormatter(logging.Formatter):
    """A record's line without its traceback (13 lines through Django's request handling, which say
    nothing about what the client sent)."""

    def formatException(self, ei):
        return ""
