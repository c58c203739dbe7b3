"""The ceiling: the least a Python WSGI app can do, under the same gunicorn settings."""


def app(environ, start_response):
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"),
                              ("Content-Length", "2")])
    return [b"{}"]
