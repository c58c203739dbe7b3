"""Route API requests before any console machinery runs.

Placed first in ``MIDDLEWARE``: a request for ``/`` that carries the API's headers (an
``X-Amz-Target``, an AWS4 ``Authorization``) or that is a POST goes straight to the API
endpoint, so sessions, CSRF, messages and templates never run for it. ``GET /`` from a
browser continues to the console.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .views import endpoint
from .wsgi import is_api_environ


def is_api_request(request: HttpRequest) -> bool:
    return is_api_environ({**request.META, "PATH_INFO": request.path_info})


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_request(request):
            return endpoint(request)
        return self.get_response(request)
