"""The WSGI application gunicorn serves; the site is chosen by ``DJANGO_SETTINGS_MODULE``."""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
