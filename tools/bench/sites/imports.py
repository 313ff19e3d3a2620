"""Print where this site's code lives: one directory or file per line.

``python -m sites.imports`` with ``DJANGO_SETTINGS_MODULE=sites.<site>``: sets
Django up, loads the WSGI application and the URLconf (as a gunicorn worker
does before its first request), then prints the top-level package directory
(or module file) of everything imported outside the standard library, for
``bench_signin.compile_bytecode``.
"""

from __future__ import annotations

import os
import sys
import sysconfig


def main() -> None:
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.urls import get_resolver

    get_wsgi_application()
    get_resolver().url_patterns  # noqa: B018  (imports the URLconf and its views)
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    roots = set()
    for name, module in list(sys.modules.items()):
        top = sys.modules.get(name.partition(".")[0], module)
        paths = list(getattr(top, "__path__", None) or [])
        where = paths[0] if paths else getattr(top, "__file__", None)
        if not where:
            continue
        where = os.path.realpath(where)
        if where.startswith(stdlib + os.sep) and "site-packages" not in where:
            continue
        roots.add(where)
    print("\n".join(sorted(roots)))


if __name__ == "__main__":
    main()
