"""The API's own WSGI entry, in front of Django's.

gunicorn serves ``console.wsgi.application``, which hands an API request (see
``is_api_environ``) straight to ``kms.api.views.handle``: no Django request or response
objects, no middleware, no URL resolution. Everything else goes to Django. The Django
middleware (``kms.api.middleware``) routes the same requests to the same ``handle`` when
Django's handler is the entry (test client, live_server, runserver).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import close_old_connections

from .views import MAX_BODY, ApiRequest, content_length, handle, headers_from_environ

log = logging.getLogger("kms.api")

STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized",
          403: "403 Forbidden", 500: "500 Internal Server Error",
          503: "503 Service Unavailable"}


def is_api_environ(environ: dict) -> bool:
    if environ.get("PATH_INFO", "/") != "/":
        return False
    return (
        "HTTP_X_AMZ_TARGET" in environ
        or environ.get("HTTP_AUTHORIZATION", "").startswith("AWS4-")
        or environ.get("REQUEST_METHOD") == "POST"
    )


def read_body(environ: dict, headers: dict[str, str]) -> bytes | None:
    """The body, or None (unread) when it is larger than the API accepts."""
    length = content_length(headers)
    if length > MAX_BODY:
        return None
    return environ["wsgi.input"].read(length) if length > 0 else b""


def with_api(django_app: Callable) -> Callable:
    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not is_api_environ(environ):
            return django_app(environ, start_response)
        headers = headers_from_environ(environ)
        try:
            answer = handle(ApiRequest(
                method=environ.get("REQUEST_METHOD", ""), path=environ.get("PATH_INFO", "/"),
                query=environ.get("QUERY_STRING", ""), headers=headers,
                body=read_body(environ, headers)))
        finally:
            # What Django's request_finished signal would do: drop a broken or
            # expired database connection.
            close_old_connections()
        content = answer.content()
        start_response(STATUS.get(answer.status, f"{answer.status} Error"),
                       [*answer.header_items(), ("Content-Length", str(len(content)))])
        return [content]

    return application
