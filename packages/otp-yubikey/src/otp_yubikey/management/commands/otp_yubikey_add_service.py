"""Create or update a YK-VAL validation service, reading its API key safely.

The API key is a secret: it is read from an environment variable or standard
input, never from the command line (where process lists and shell histories
would keep it), and never printed.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from ...conf import yubikey_settings
from ...models import ValidationService

#: The environment variable read for the API key unless ``--api-key-env`` names another.
DEFAULT_KEY_VARIABLE = "OTP_YUBIKEY_API_KEY"


class Command(BaseCommand):
    help = (
        "Create (or update) the YubiKey validation service that set-up uses. The API key "
        f"is read from ${DEFAULT_KEY_VARIABLE} (or --api-key-env) or else from standard "
        "input, never from the command line."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--name",
            default=None,
            help="Service name (default: OTP_YUBIKEY_SETUP_SERVICE, normally 'default').",
        )
        parser.add_argument("--api-id", type=int, required=True, help="Your API client id.")
        parser.add_argument(
            "--url",
            action="append",
            default=[],
            help="A verify URL; repeat for several. None: Yubico's YubiCloud.",
        )
        parser.add_argument(
            "--api-key-env",
            default=DEFAULT_KEY_VARIABLE,
            help=f"Environment variable with the base64 API key (default {DEFAULT_KEY_VARIABLE}).",
        )
        parser.add_argument("--timeout", type=int, default=None, help="Seconds (1-5 advised).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def _api_key(self, options: dict[str, Any]) -> str:
        value = os.environ.get(options["api_key_env"] or "")
        if value:
            return value.strip()
        stdin = options.get("stdin") or sys.stdin
        if stdin.isatty():
            return getpass.getpass("API key (base64): ").strip()
        return stdin.readline().strip()

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        if using not in connections:
            raise CommandError(f"Unknown database {using!r}.")
        name = options["name"] or yubikey_settings.OTP_YUBIKEY_SETUP_SERVICE
        if not isinstance(name, str) or not name:
            raise CommandError("Give the service a name with --name.")
        api_key = self._api_key(options)
        if not api_key:
            raise CommandError(
                f"No API key: set ${options['api_key_env']} or pass it on standard input."
            )
        manager = ValidationService._default_manager.db_manager(using)
        with transaction.atomic(using=using):
            service = manager.select_for_update().filter(name=name).first()
            created = service is None
            service = service or ValidationService(name=name)
            service.api_id = options["api_id"]
            service.api_key = api_key
            service.base_url = "\n".join(options["url"])
            if options["timeout"] is not None:
                service.param_timeout = options["timeout"]
            try:
                service.full_clean(validate_unique=False)
            except ValidationError as exc:
                # Field names and our validators' messages only: never the key.
                problems = "; ".join(
                    f"{field}: {' '.join(dict.fromkeys(messages))}"
                    for field, messages in sorted(exc.message_dict.items())
                )
                raise CommandError(f"Invalid service: {problems}") from None
            service.save(using=using)
        verb = "Created" if created else "Updated"
        where = f"{len(options['url'])} URL(s)" if options["url"] else "YubiCloud"
        self.stdout.write(f'{verb} validation service "{name}" ({where}).')
