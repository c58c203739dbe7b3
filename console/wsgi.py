import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

from kms.api.wsgi import with_api  # noqa: E402  (needs the settings module above)

application = with_api(get_wsgi_application())
