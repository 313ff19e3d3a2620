"""Fuzz every view of every package: hostile input gives no 500 and, refused, changes no row.

The views are found in the URL resolver: every pattern whose view (or model
admin, or admin site) comes from otp-core, two-factor-ui or an installed
plugin, plus the demo pages that use otp-core's guards. A view added later is
fuzzed without editing this file; :func:`test_every_view_of_ours_is_fuzzed`
fails when a pattern cannot be filled in or a wizard has no flow here.

Each view is requested as four users (anonymous, signed in but unverified,
verified, verified staff superuser) with hostile values from
:func:`otp_core.testing.hostile_values` in its URL ids, query string and
every field its page shows: missing, repeated, long, NUL bytes, non-ASCII
digits, lone surrogates (as raw bytes), out-of-range integers, other users'
ids, wrong wizard steps; and with garbage in the session keys the view keeps.
The wizards are also driven to their later steps first.

Every request runs in a savepoint that is rolled back afterwards, so all
start from the same rows. After each one: status < 500; and

* a refused request (4xx, a form with errors, or a redirect to a login page)
  changes no row, except the failure counters of the devices whose
  verification failed (``verification_failed`` with ``"mismatch"``), each by
  exactly the number of such failures, and the account-wide counter of their
  owner by that number (or not at all), and the user's own unconfirmed
  devices (a set-up in progress: otp-static shows a fresh set of codes after a
  refused confirmation);
* an accepted request by a non-staff user changes only that user's rows.

The selection is deterministic (``OTP_FUZZ_SEED``, default ``0``);
``OTP_FUZZ_BUDGET`` (default ``1``) multiplies the number of cases per view
for a deeper run.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.admin import ModelAdmin
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from formtools.wizard.views import WizardView

from otp_core import plugins, signals
from otp_core.models import Device, device_classes
from otp_core.session import record_verification
from otp_core.testing import HostileValue, form_body, hostile_ids, hostile_values, sample
from otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

SEED = os.environ.get("OTP_FUZZ_SEED", "0")
BUDGET = max(1, int(os.environ.get("OTP_FUZZ_BUDGET", "1")))
PASSWORD = "correct horse"
TOTP = TOTPDevice._meta.label_lower
#: Demo pages of the test project; they are guarded by otp-core's decorators and mixins.
DEMO_MODULE = "test_project.views"
#: Session keys of authentication and of verification: the roles, not the view's state.
AUTH_SESSION_KEYS = {
    "_auth_user_id",
    "_auth_user_backend",
    "_auth_user_hash",
    "otp_device_id",
    "otp_verifications",
}
#: What a damaged session value may be.
GARBAGE: tuple[Any, ...] = (
    None,
    "garbage",
    2**63,
    [],
    {"step": "\x00", "step_data": "x", "step_files": None, "extra_data": []},
    {
        "step": "token",
        "step_data": {"token": {"x": ["1"]}},
        "step_files": {},
        "extra_data": {
            "user_pk": str(2**63),
            "backend": "django.contrib.auth.backends.ModelBackend",
            "device": f"otp_totp.totpdevice/{2**63}",
            "auth_time": "NaN",
            "has_backup": True,
            "method": ["totp"],
            "state": {"otp_totp": {"key": "zz"}},
            "done_steps": "welcome",
        },
    },
    {"step": 10**30, "state": [], "method": {}},
)


# Django 6.1 renames savepoint() to savepoint_create().
_savepoint = getattr(transaction, "savepoint_create", transaction.savepoint)


# -- the views --------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern of ours, with its full route."""

    route: str
    name: str
    lookup: str
    callback: Any = field(compare=False, repr=False)

    @property
    def params(self) -> list[tuple[str, str]]:
        return [(m["converter"] or "str", m["name"]) for m in _PARAM.finditer(self.route)]

    @property
    def model(self) -> Any:
        model_admin = _model_admin(self.callback)
        return model_admin.model if model_admin is not None else None

    def path(self, **values: str) -> str:
        def fill(match: re.Match) -> str:
            value = values.get(match["name"], "1")
            return quote(value.encode("utf-8", "surrogatepass"), safe="")

        return "/" + _PARAM.sub(fill, self.route)


def our_packages() -> set[str]:
    """Top-level modules of otp-core, two-factor-ui and every installed plugin."""
    names = {"otp_core", "two_factor_ui"}
    names.update(plugin.app.split(".")[0] for plugin in plugins.installed().values())
    return names


def _model_admin(callback: Any) -> ModelAdmin | None:
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is None:
        bound = getattr(getattr(callback, "__wrapped__", None), "__self__", None)
        model_admin = bound if isinstance(bound, ModelAdmin) else None
    return model_admin


def _is_ours(pattern: URLPattern, ours: set[str]) -> bool:
    callback = pattern.callback
    modules = [pattern.lookup_str]
    model_admin = _model_admin(callback)
    if model_admin is not None:
        modules += [model_admin.model._meta.app_config.name, type(model_admin).__module__]
    site = getattr(callback, "admin_site", None)
    if site is not None:
        modules.append(type(site).__module__)
    return any(
        module.split(".")[0] in ours or module.startswith(DEMO_MODULE + ".") for module in modules
    )


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, str, Any]]:
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from _walk(item, prefix + str(item.pattern), inner)
        else:
            yield _as_route(prefix + str(item.pattern)), namespace, item


_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


def _as_route(text: str) -> str:
    """A regex pattern's named groups as ``<regex:name>`` parameters, anchors dropped."""
    text = _GROUP.sub(lambda m: f"<regex:{m['name']}>", text)
    return text.replace("^", "").replace("$", "")


def all_patterns() -> list[tuple[str, str, URLPattern]]:
    return list(_walk(get_resolver(), "", ""))


def our_routes() -> list[Route]:
    """Every URL pattern of the project that belongs to one of our packages."""
    ours = our_packages()
    routes = []
    for route, namespace, pattern in all_patterns():
        if _is_ours(pattern, ours):
            name = f"{namespace}{pattern.name}" if pattern.name else f"{route} {pattern.lookup_str}"
            routes.append(Route(route, name, pattern.lookup_str, pattern.callback))
    return routes


def _view_class(callback: Any) -> Any:
    from otp_core.deferred import view_class

    return view_class(callback)


# -- what the rows are ------------------------------------------------------------

Snapshot = dict[str, dict[Any, dict[str, Any]]]


def tracked_models() -> list[Any]:
    """The user model and every model of our packages."""
    ours = our_packages()
    models = [get_user_model()]
    for config in apps.get_app_configs():
        if config.name.split(".")[0] in ours:
            models += [m for m in config.get_models() if m not in models]
    return models


def snapshot() -> Snapshot:
    return {
        model._meta.label_lower: {row["pk"]: row for row in _rows(model)}
        for model in tracked_models()
    }


def _rows(model: Any) -> list[dict[str, Any]]:
    names = [f.attname for f in model._meta.concrete_fields]
    return [
        {"pk": row[model._meta.pk.attname], **row} for row in model._base_manager.values(*names)
    ]


def _owner(label: str, row: dict[str, Any], snaps: list[Snapshot]) -> Any:
    """The pk of the user a row belongs to, or ``"?"``."""
    model = apps.get_model(label)
    if model is get_user_model():
        return row["pk"]
    if "user_id" in row:
        return row["user_id"]
    for f in model._meta.concrete_fields:
        related = getattr(f, "related_model", None)
        if related is not None and issubclass(related, Device):
            for snap in snaps:
                parent = snap.get(related._meta.label_lower, {}).get(row[f.attname])
                if parent is not None:
                    return parent["user_id"]
    return "?"


def _pending(label: str, old: Any, new: Any, snaps: list[Snapshot]) -> bool:
    """Is this row an unconfirmed device (a set-up in progress), or a row of one?

    A pending device is the working state of a set-up, like the session: a
    refused step may change it (otp-static shows a fresh set after a refused
    confirmation). Confirmed devices stay untouchable.
    """
    model = apps.get_model(label)
    rows = [r for r in (old, new) if r is not None]
    if issubclass(model, Device):
        return all(r.get("confirmed") is False for r in rows)
    for f in model._meta.concrete_fields:
        related = getattr(f, "related_model", None)
        if related is not None and issubclass(related, Device):
            parents = [
                snap.get(related._meta.label_lower, {}).get(r[f.attname])
                for snap in snaps
                for r in rows
            ]
            return (
                bool(parents)
                and all(p is None or p.get("confirmed") is False for p in parents)
                and any(parents)
            )
    return False


THROTTLING = {"throttling_failure_count", "throttling_failure_timestamp"}


def state_violations(
    before: Snapshot,
    after: Snapshot,
    *,
    refused: bool,
    actor: Any,
    staff: bool,
    mismatches: Counter,
) -> list[str]:
    """What changed that this request may not change (see the module docstring)."""
    problems = []
    per_user: Counter = Counter()
    for (label, pk), count in mismatches.items():
        row = before.get(label, {}).get(pk)
        if row is not None:
            per_user[row["user_id"]] += count
    for label, rows in after.items():
        model = apps.get_model(label)
        old_rows = before.get(label, {})
        for pk in set(rows) | set(old_rows):
            old, new = old_rows.get(pk), rows.get(pk)
            if old == new:
                continue
            changed = sorted(k for k in (old or new) if (old or {}).get(k) != (new or {}).get(k))
            owner = _owner(label, old or new, [before, after])
            what = f"{label} pk={pk} (user {owner}): " + (
                "added" if old is None else "deleted" if new is None else f"changed {changed}"
            )
            if old and new and issubclass(model, Device) and set(changed) <= THROTTLING:
                delta = new["throttling_failure_count"] - old["throttling_failure_count"]
                if delta == mismatches[(label, pk)] and delta > 0:
                    continue
                what += f" by {delta}, {mismatches[(label, pk)]} failed verifications"
            if label == "otp_core.accountthrottle":
                delta = (new or {}).get("failure_count", 0) - (old or {}).get("failure_count", 0)
                if delta == per_user[(new or old)["user_id"]] and delta > 0:
                    continue
                what += f" by {delta}, {per_user[(new or old)['user_id']]} failed verifications"
            if not refused and (staff or (actor is not None and owner == actor)):
                continue
            if actor is not None and owner == actor and _pending(label, old, new, [before, after]):
                continue
            problems.append(("refused, yet " if refused else "") + what)
    return problems


# -- the requests -----------------------------------------------------------------


@dataclass
class Case:
    """One hostile request: how to send it and how to describe it in a report."""

    label: str
    method: str
    path: str
    data: list[tuple[str, str]] | None = None

    def send(self, client: Client) -> Any:
        if self.method == "GET":
            return client.get(self.path)
        return client.generic(
            "POST",
            self.path,
            form_body(self.data or []),
            content_type="application/x-www-form-urlencoded",
        )

    def describe(self) -> str:
        shown = [
            (k, v if len(v) <= 40 else f"{v[:20]!r}...({len(v)} chars)") for k, v in self.data or []
        ]
        return (
            f"{self.method} {self.path[:120]} {self.label} {shown if self.data is not None else ''}"
        )


class _Fields(HTMLParser):
    """The names and values of every form field on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.post: list[tuple[str, str]] = []
        self.get: list[tuple[str, str]] = []
        self._method = "get"
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        target = self.post if self._method == "post" else self.get
        if tag == "form":
            self._method = a.get("method", "get").lower()
        elif tag in ("input", "button") and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                if not any(name == a["name"] for name, _ in target):
                    target.append((a["name"], a.get("value", "on")))
                return
            target.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            target.append((a["name"], ""))
        elif tag == "option" and self._select is not None:
            if target and target[-1][0] == self._select and not target[-1][1]:
                target[-1] = (self._select, a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            target.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._method = "get"
        elif tag == "select":
            self._select = None


def page_fields(response: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(POST fields, GET fields) of the forms on an HTML page, in order, without CSRF."""
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return [], []
    parser = _Fields()
    parser.feed(response.content.decode(errors="replace"))
    strip = [("csrfmiddlewaretoken",)]
    post = [(k, v) for k, v in parser.post if (k,) not in strip]
    return post, [(k, v) for k, v in parser.get if (k,) not in strip]


_ID_FIELD = re.compile(r"(^|[_-])(id|pk|ids|action|device|object_id)$|selected", re.IGNORECASE)


def form_cases(
    url: str,
    post: list[tuple[str, str]],
    get: list[tuple[str, str]],
    seed: str,
    budget: int,
    *,
    per_field: int = 6,
    id_values: int = 2,
) -> list[Case]:
    """Hostile variants of a page's forms: missing, repeated, hostile, one field at a time.

    ``per_field`` fields (a seeded choice) get one hostile value each, ``2 * budget``
    values go in every field at once, and ``2 * budget`` query parameters.
    """
    values = hostile_values()
    surrogate = next(v for v in values if v.label == "lone-surrogate")
    names = list(dict.fromkeys(name for name, _ in post))
    cases = [Case("missing fields", "POST", url, [])]
    if names:
        cases.append(Case("every field repeated", "POST", url, [*post, *post]))
        mixed = sample(values, 1, seed + "mixed")[0]
        cases.append(
            Case(
                f"repeated, last {mixed.label}",
                "POST",
                url,
                [*post, *((n, mixed.value) for n in names)],
            )
        )
        cases.append(
            Case("every field lone-surrogate", "POST", url, [(n, surrogate.value) for n in names])
        )
        for value in sample(values, 2 * budget, seed + "all"):
            cases.append(
                Case(f"every field {value.label}", "POST", url, [(n, value.value) for n in names])
            )
        # Fields that carry ids always get hostile ids; others a seeded share.
        id_like = [n for n in names if _ID_FIELD.search(n)]
        for name in id_like:
            for value in sample(hostile_ids(), id_values * budget, seed + "id" + name):
                data = [(n, value.value if n == name else v) for n, v in post]
                cases.append(Case(f"{name}={value.label}", "POST", url, data))
        for name in sample(names, per_field * budget, seed + "fields"):
            value = sample(values, 1, seed + name)[0]
            data = [(n, value.value if n == name else v) for n, v in post]
            cases.append(Case(f"{name}={value.label}", "POST", url, data))
    query_names = list(dict.fromkeys(["next", *(name for name, _ in get)]))
    for name in sample(query_names, 2 * budget, seed + "query"):
        value = sample(values, 1, seed + "q" + name)[0]
        query = urlencode({name: value.value.encode("utf-8", "surrogatepass")})
        cases.append(Case(f"?{name}={value.label}", "GET", f"{url}?{query}"))
    return cases


def is_refused(response: Any) -> bool:
    """A 4xx, a form shown again with errors, or a redirect to a login page."""
    if response.status_code >= 400:
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response.get("Location", "")).path
        return any(target.startswith(url) for url in login_urls())
    return _has_form_errors(getattr(response, "context", None))


def login_urls() -> list[str]:
    urls = []
    for name in ("two_factor:login", "login", "admin:login", "otpadmin:login"):
        try:
            urls.append(reverse(name))
        except Exception:
            continue
    return urls


def _has_form_errors(context: Any) -> bool:
    if context is None:
        return False
    stack: list[Any] = []
    for ctx in context if isinstance(context, list) else [context]:
        # Context.dicts rather than flatten(): Django 4.2's flatten() fails on
        # the admin changelist's context (a layer that is not a mapping).
        for layer in getattr(ctx, "dicts", []):
            if isinstance(layer, dict):
                stack += list(layer.values())
    for value in stack:
        form = getattr(value, "form", value)
        if isinstance(form, BaseForm) and form.is_bound and form.errors:
            return True
        if isinstance(form, BaseFormSet) and form.is_bound and not form.is_valid():
            return True
    return False


# -- the people -------------------------------------------------------------------


@dataclass
class World:
    alice: Any
    bob: Any
    root: Any
    devices: dict[str, dict[str, Any]]

    def device_ids(self, who: str) -> list[str]:
        return [str(d.pk) for d in self.devices[who].values()]

    def persistent_ids(self, who: str) -> list[str]:
        return [d.persistent_id for d in self.devices[who].values()]


def make_device(model: Any, user: Any) -> Any:
    """A confirmed device of any model with made-up values for its required fields.

    None for a model that needs more (a required relation to another row):
    its views are still fuzzed, with hostile ids only.
    """
    values: dict[str, Any] = {"user": user, "name": f"{user.get_username()} fuzz"}
    for f in model._meta.concrete_fields:
        if f.name in values or f.primary_key or f.has_default() or f.null or f.blank:
            continue
        internal = f.get_internal_type()
        if f.name in ("number", "phone_number"):
            values[f.name] = "+31201234567" if user.get_username() == "alice" else "+31201234568"
        elif internal == "CharField" and "mail" in f.name:
            values[f.name] = f"{user.get_username()}@example.com"
        elif internal in ("CharField", "TextField"):
            # Unique per user: some models have unique fields (a YubiKey's public id).
            values[f.name] = (user.get_username() + "c" * 64)[: f.max_length or 12]
        elif "Integer" in internal:
            values[f.name] = 0
    try:
        with transaction.atomic():
            device = model.objects.create(**values)
    except DatabaseError:
        return None
    if hasattr(device, "generate_tokens"):
        device.generate_tokens()
    return device


@pytest.fixture
def world(django_user_model) -> World:
    alice = django_user_model.objects.create_user("alice", "alice@example.com", PASSWORD)
    bob = django_user_model.objects.create_user("bob", "bob@example.com", PASSWORD)
    root = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    devices: dict[str, dict[str, Any]] = {"alice": {}, "bob": {}, "root": {}}
    for model in device_classes():
        for who, user in (("alice", alice), ("bob", bob)):
            device = make_device(model, user)
            if device is not None:
                devices[who][model._meta.label_lower] = device
    devices["root"][TOTP] = make_device(TOTPDevice, root)
    return World(alice, bob, root, devices)


def verify_session(client: Client, device: Any) -> None:
    session = client.session
    record_verification(session, device)
    session.save()


def role_clients(world: World) -> dict[str, tuple[Client, Any, bool]]:
    """name -> (client, actor pk, staff)."""
    anonymous = Client()
    unverified = Client()
    unverified.force_login(world.alice)
    verified = Client()
    verified.force_login(world.alice)
    verify_session(verified, world.devices["alice"][TOTP])
    staff = Client()
    staff.force_login(world.root)
    verify_session(staff, world.devices["root"][TOTP])
    return {
        "anonymous": (anonymous, None, False),
        "unverified": (unverified, world.alice.pk, False),
        "verified": (verified, world.alice.pk, False),
        "staff": (staff, world.root.pk, True),
    }


class _WriteWatcher:
    """Notes every INSERT, UPDATE or DELETE that names a tracked table."""

    def __init__(self, writes: list[str]) -> None:
        self.writes = writes
        self.tables = [m._meta.db_table.lower() for m in tracked_models()]

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        text = sql.lstrip()[:7].upper()
        if text.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
            lowered = sql.lower()
            if any(table in lowered for table in self.tables):
                self.writes.append(sql[:80])
        return execute(sql, params, many, context)


class Fuzzer:
    """Sends cases in savepoints and collects every 500 and every forbidden change."""

    def __init__(self) -> None:
        self.findings: list[str] = []
        self.requests = 0
        self._mismatches: Counter = Counter()
        self._before: Snapshot | None = None

    def forget(self) -> None:
        """The rows the cases start from have changed (a flow's steps, or their end)."""
        self._before = None

    def _failed(self, sender: Any, device: Any, reason: Any = None, **kwargs: Any) -> None:
        if reason == "mismatch":
            self._mismatches[(type(device)._meta.label_lower, device.pk)] += 1

    def run(
        self,
        client: Client,
        role: str,
        actor: Any,
        staff: bool,
        case: Case,
        prepare: Callable[[Client], Any] | None = None,
    ) -> Any:
        """Send ``case`` (after ``prepare``, both rolled back); return the response or None."""
        cookies = client.cookies
        client.cookies = type(cookies)(cookies)
        sid = _savepoint()
        response = None
        where = f"[{role}] {case.describe()}"
        try:
            if prepare is not None:
                try:
                    prepare(client)
                except Exception as exc:
                    self.findings.append(
                        f"500 while preparing {where}: {type(exc).__name__}: {exc}"
                    )
                    return None
            # Every case starts from the same rows (rolled back), so the snapshot of
            # a state is taken once; forget() when the starting state changes.
            if prepare is not None or self._before is None:
                before = snapshot()
                self._before = None if prepare is not None else before
            else:
                before = self._before
            self._mismatches = Counter()
            signals.verification_failed.connect(self._failed)
            writes: list[str] = []
            try:
                self.requests += 1
                with connection.execute_wrapper(_WriteWatcher(writes)):
                    response = case.send(client)
            except Exception as exc:
                self.findings.append(f"500 {where}: {type(exc).__name__}: {str(exc)[:200]}")
                return None
            finally:
                signals.verification_failed.disconnect(self._failed)
            if response.status_code >= 500:
                self.findings.append(f"{response.status_code} {where}")
                return response
            try:
                # No write to a tracked table: the rows are as before (quicker).
                after = snapshot() if writes else before
            except DatabaseError as exc:
                self.findings.append(f"broken transaction after {where}: {exc}")
                return response
            refused = is_refused(response)
            problems = state_violations(
                before,
                after,
                refused=refused,
                actor=actor,
                staff=staff,
                mismatches=self._mismatches,
            )
            if problems:
                more = f" (+{len(problems) - 3} more rows)" if len(problems) > 3 else ""
                shown = "; ".join(problems[:3])
                self.findings.append(f"state {where} -> {response.status_code}: {shown}{more}")
            return response
        finally:
            transaction.savepoint_rollback(sid)
            client.cookies = cookies

    def assert_clean(self) -> None:
        if self.findings:
            shown = "\n".join(self.findings[:40])
            more = len(self.findings) - 40
            pytest.fail(
                f"{len(self.findings)} finding(s) in {self.requests} requests:\n{shown}"
                + (f"\n... and {more} more" if more > 0 else ""),
                pytrace=False,
            )


@contextmanager
def rolled_back(client: Client, fuzzer: Fuzzer) -> Iterator[None]:
    """Rows, session rows and the client's cookies as they were, afterwards."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    sid = _savepoint()
    fuzzer.forget()
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)
        client.cookies = cookies
        fuzzer.forget()


def tamper_cases(
    fuzzer: Fuzzer, client: Client, role: str, actor: Any, staff: bool, url: str, seed: str
) -> None:
    """Garbage in each session key the view keeps (the client has just used it)."""
    keys = [k for k in client.session.keys() if k not in AUTH_SESSION_KEYS]  # noqa: SIM118
    for key in keys:
        for garbage in sample(GARBAGE, 2 * BUDGET, f"{seed}:{key}"):

            def damage(c: Client, key: str = key, garbage: Any = garbage) -> None:
                session = c.session
                session[key] = garbage
                session.save()

            for method in ("GET", "POST"):
                data = None if method == "GET" else []
                case = Case(f"session[{key!r}]={str(garbage)[:60]}", method, url, data)
                fuzzer.run(client, role, actor, staff, case, damage)


# -- the generic fuzz over every view -----------------------------------------------


def _known_ids(route: Route, world: World) -> list[str]:
    model = route.model
    if model is not None and issubclass(model, Device):
        label = model._meta.label_lower
        return [
            str(world.devices[w][label].pk) for w in ("bob", "alice") if label in world.devices[w]
        ]
    if model is not None:
        return [str(pk) for pk in model._base_manager.values_list("pk", flat=True)[:2]]
    return sorted(set(world.device_ids("bob")) | set(world.device_ids("alice")), key=int)


def _route_param_values(route: Route, world: World) -> list[dict[str, str]]:
    """Hostile and other users' values for the route's parameters (one dict per URL)."""
    params = route.params
    if not params:
        return [{}]
    known = _known_ids(route, world)
    base = {name: known[0] if known else "1" for _, name in params}
    if "app_label" in base:
        base["app_label"] = route.model._meta.app_label if route.model else "otp_core"
    candidates: list[HostileValue] = list(hostile_ids(*known))
    if any(kind in ("str", "path") for kind, _ in params):
        candidates += list(sample(hostile_values(), 4, route.name + "path"))
    return [base] + [{**base, name: value.value} for _, name in params for value in candidates]


ROUTES = our_routes()


def _shallow_routes(routes: list[Route]) -> set[str]:
    """Model admin pages already fuzzed in depth on another admin site.

    A second site registers the same ModelAdmin classes: only who it lets in
    differs, so there each role gets the page and one hostile id, not every case.
    """
    seen: set[Any] = set()
    shallow = set()
    for route in routes:
        model_admin = _model_admin(route.callback)
        if model_admin is None:
            continue
        key = (type(model_admin), model_admin.model, route.lookup, route.route.split("/", 1)[-1])
        if key in seen:
            shallow.add(route.name)
        seen.add(key)
    return shallow


SHALLOW = _shallow_routes(ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_fuzz_view(route: Route, world: World) -> None:
    fuzzer = Fuzzer()
    for role, (client, actor, staff) in role_clients(world).items():
        seed = f"{SEED}:{route.name}:{role}"
        urls = [route.path(**values) for values in _route_param_values(route, world)]
        first = fuzzer.run(client, role, actor, staff, Case("baseline", "GET", urls[0]))
        open_page = first is not None and first.status_code == 200
        if route.name in SHALLOW:
            for url in sample(urls[1:], 1, seed + "ids"):
                fuzzer.run(client, role, actor, staff, Case("url id", "GET", url))
            continue
        # The admin's many pages share one ModelAdmin code path: a seeded share of the
        # ids and fields each (all of them over the admin's pages); other views get all.
        admin_page = route.model is not None or getattr(route.callback, "admin_site", None)
        id_count = (3 if admin_page else len(urls)) * BUDGET if open_page else 1
        for url in sample(urls[1:], id_count, seed + "ids"):
            fuzzer.run(client, role, actor, staff, Case("url id", "GET", url))
        post_ids = (1 if admin_page else 3) if open_page else 0
        for url in sample(urls[1:], post_ids, seed + "post-ids"):
            fuzzer.run(client, role, actor, staff, Case("url id", "POST", url, []))
        post, get = page_fields(first) if open_page else ([], [])
        per_field, id_values = (1, 1) if admin_page else (6, 2)
        budget = BUDGET if open_page else 0
        cases = form_cases(
            urls[0], post, get, seed, budget, per_field=per_field, id_values=id_values
        )
        if not open_page:
            hostile_next = Case("?next", "GET", urls[0] + "?next=%2F%2Fevil.example%2F")
            cases = [*cases[:1], hostile_next]
        for case in cases:
            fuzzer.run(client, role, actor, staff, case)
        if open_page:
            with rolled_back(client, fuzzer):
                client.get(urls[0])
                tamper_cases(fuzzer, client, role, actor, staff, urls[0], seed)
    fuzzer.assert_clean()


# -- multi-step views, driven to their later steps first ------------------------------


@dataclass
class Flow:
    """A multi-step view driven to one of its later pages, then fuzzed there."""

    name: str
    url: str
    role: str
    prepare: Callable[[Client], Any]
    #: field -> values sent as the only change to the page's own fields.
    extra: dict[str, list[str]] = field(default_factory=dict)


def _post(client: Client, url: str, data: dict[str, str]) -> Any:
    return client.post(url, data)


def _fields_of(response: Any) -> dict[str, str]:
    return dict(page_fields(response)[0])


def login_flows(world: World) -> list[Flow]:
    url = reverse("two_factor:login")
    others = world.persistent_ids("bob")
    own = world.persistent_ids("alice")

    def token_page(c: Client) -> Any:
        c.get(url)
        return _post(
            c,
            url,
            {
                "login_view-current_step": "auth",
                "auth-username": "alice",
                "auth-password": PASSWORD,
            },
        )

    def backup_page(c: Client) -> Any:
        token_page(c)
        return _post(c, url, {"login_view-current_step": "token", "wizard_goto_step": "backup"})

    steps = ["auth", "token", "backup", "welcome", "token\x00", "0", "", str(2**63)]
    extra = {
        "login_view-current_step": steps,
        "challenge_device": [*others, *own, *(v.value for v in sample(hostile_values(), 4, "cd"))],
        "wizard_goto_step": ["backup", "auth", "nowhere", "token\x00"],
        "resend": ["1", "\x00"],
    }
    return [
        Flow(
            "password step",
            url,
            "anonymous",
            lambda c: c.get(url),
            {"login_view-current_step": steps},
        ),
        Flow("token step", url, "anonymous", token_page, extra),
        Flow("backup step", url, "anonymous", backup_page, extra),
    ]


def setup_flows(world: World) -> list[Flow]:
    from two_factor_ui.methods import setup_methods

    url = reverse("two_factor:setup")
    flows = []
    names = [p.name for p in setup_methods()]
    steps = ["welcome", "method", *(f"{n}-0" for n in names), "totp-9", "-1", str(10**30), "\x00"]
    for plugin in setup_methods():

        def plugin_page(c: Client, name: str = plugin.name) -> Any:
            c.get(url)
            response = _post(c, url, {"setup_view-current_step": "welcome"})
            if "method" in _fields_of(response).get("setup_view-current_step", ""):
                response = _post(
                    c, url, {"setup_view-current_step": "method", "method-method": name}
                )
            return response

        flows.append(
            Flow(
                f"setup {plugin.name}",
                url,
                "verified",
                plugin_page,
                {"setup_view-current_step": steps, "method-method": [*names, "static", "\x00"]},
            )
        )
    flows.append(
        Flow(
            "setup welcome",
            url,
            "unverified-new",
            lambda c: c.get(url),
            {"setup_view-current_step": steps},
        )
    )
    return flows


def backup_flows(world: World) -> list[Flow]:
    url = reverse("two_factor:backup_tokens")

    def generated(c: Client) -> Any:
        c.get(url)
        return _post(c, url, {"generate": "1"})

    return [Flow("backup codes, new set shown", url, "verified", generated)]


def phone_flows(world: World) -> list[Flow]:
    url = reverse("otp_phone:setup")

    def confirm_page(c: Client) -> Any:
        data = _fields_of(c.get(url))
        for name in data:
            if "number" in name:
                data[name] = "+31201234599"
        return _post(c, url, data)

    return [Flow("phone confirm step", url, "verified", confirm_page, {"restart": ["1", "\x00"]})]


def core_login_flows(world: World) -> list[Flow]:
    """otp-core's one-form logins: valid password, hostile device and code fields."""
    flows = []
    others = world.persistent_ids("bob")
    device_values = [*others, *(v.value for v in sample(hostile_values(), 6, "otp_device"))]
    for name, user_field in (("login", "username"), ("otpadmin:login", "username")):
        url = reverse(name)

        def page(c: Client, url: str = url) -> Any:
            c.get(url)
            response = c.get(url)
            # The page's fields with a real password: what follows fuzzes the factor.
            response.fuzz_fixed = {
                user_field: "root" if "admin" in url else "alice",
                "password": PASSWORD,
            }
            return response

        flows.append(
            Flow(
                f"{name} with a valid password",
                url,
                "anonymous",
                page,
                {"otp_device": device_values, "otp_challenge": ["1", *others[:2]]},
            )
        )
    verify = reverse("verify")
    flows.append(
        Flow(
            "demo verify (OTPTokenForm)",
            verify,
            "unverified",
            lambda c: c.get(verify),
            {"otp_device": device_values, "otp_challenge": ["1", *others[:2]]},
        )
    )
    return flows


#: Views with steps or state kept between requests, and the flows that reach their later steps.
FLOWS: dict[str, Callable[[World], list[Flow]]] = {
    "two_factor:login": login_flows,
    "two_factor:setup": setup_flows,
    "two_factor:backup_tokens": backup_flows,
    "otp_phone:setup": phone_flows,
    "login": core_login_flows,
    "otpadmin:login": core_login_flows,
    "verify": core_login_flows,
}


def _flow_clients(world: World) -> dict[str, tuple[Client, Any, bool]]:
    clients = role_clients(world)
    fresh = get_user_model().objects.create_user("carol", "carol@example.com", PASSWORD)
    newcomer = Client()
    newcomer.force_login(fresh)
    clients["unverified-new"] = (newcomer, fresh.pk, False)
    return clients


FLOW_NAMES = sorted({name for name in FLOWS})


@pytest.mark.parametrize("url_name", FLOW_NAMES)
def test_fuzz_steps(url_name: str, world: World) -> None:
    """The later steps of multi-step views, with their page's fields and crafted extras."""
    fuzzer = Fuzzer()
    clients = _flow_clients(world)
    flows = [f for f in FLOWS[url_name](world) if reverse(url_name) == f.url]
    assert flows, f"no flow reaches {url_name}"
    for flow in flows:
        client, actor, staff = clients[flow.role]
        if flow.role == "anonymous":
            actor = world.alice.pk  # signing in as alice: her rows may change (challenges)
            if "admin" in flow.url:
                actor = world.root.pk
        seed = f"{SEED}:{flow.name}"
        # The flow's steps once; every case starts from there (rolled back to it).
        with rolled_back(client, fuzzer):
            try:
                response = flow.prepare(client)
            except Exception as exc:
                fuzzer.findings.append(f"500 preparing [{flow.role}] {flow.name}: {exc!r}")
                continue
            if response.status_code >= 500:
                fuzzer.findings.append(f"500 preparing [{flow.role}] {flow.name}")
                continue
            post, get = page_fields(response)
            fixed = getattr(response, "fuzz_fixed", {})
            post = [(k, fixed.get(k, v)) for k, v in post]
            cases = form_cases(flow.url, post, get, seed, BUDGET, per_field=3)
            for name, values in flow.extra.items():
                for value in sample(values, 4 * BUDGET, seed + name):
                    data = [(k, v) for k, v in post if k != name] + [(name, value)]
                    cases.append(Case(f"{name}={value[:40]!r}", "POST", flow.url, data))
            for case in cases:
                fuzzer.run(client, flow.role, actor, staff, case)
            tamper_cases(fuzzer, client, flow.role, actor, staff, flow.url, seed)
    fuzzer.assert_clean()


def test_every_view_of_ours_is_fuzzed() -> None:
    """The enumeration finds our views, can fill in each, and every wizard has a flow."""
    names = {route.name for route in ROUTES}
    expected = {
        "login",
        "two_factor:login",
        "two_factor:setup",
        "two_factor:qr",
        "two_factor:disable",
        "otp_phone:delete",
        "otp_phone:twilio_call",
        "admin:login",
        "otpadmin:login",
        f"admin:{TOTP.replace('.', '_')}_qrcode",
        f"otpadmin:{TOTP.replace('.', '_')}_change",
    }
    assert expected <= names, f"not enumerated: {sorted(expected - names)}"
    # Every device model's admin pages are fuzzed, on both admin sites.
    for model in device_classes():
        label = model._meta.label_lower.replace(".", "_")
        assert f"admin:{label}_change" in names, f"{model} has no admin pages fuzzed"
    # Any converter is filled with text (its own regex decides); regex groups are rewritten.
    unfillable = [r.name for r in ROUTES if any(mark in r.route for mark in ("^", "(?P", "$", "("))]
    assert not unfillable, f"patterns whose parameters this suite cannot fill: {unfillable}"
    current = {r.name for r in our_routes()}
    assert current == names, f"patterns added after collection: {sorted(current - names)}"
    wizards = [
        r.name
        for r in ROUTES
        if isinstance(_view_class(r.callback), type)
        and issubclass(_view_class(r.callback), WizardView)
    ]
    missing = [name for name in wizards if name not in FLOWS]
    assert not missing, f"wizards without a flow to their later steps: {missing}"
    assert {name for name in FLOWS} <= names | {"verify"}


# -- the fuzzer itself ------------------------------------------------------------------


def _crashes(request: Any) -> Any:
    raise ValueError("a 500")


def _refuses_after_deleting(request: Any) -> Any:
    from django.http import HttpResponseForbidden

    TOTPDevice.objects.filter(user__username="bob").delete()
    return HttpResponseForbidden()


def _fails_a_code(request: Any) -> Any:
    from django.http import HttpResponseForbidden

    from otp_core.verification import verify

    verify(TOTPDevice.objects.get(user__username="alice"), "000000x")
    return HttpResponseForbidden()


#: The URLconf of the fuzzer's own test (``settings.ROOT_URLCONF = __name__``).
urlpatterns = [
    path("crash/", _crashes),
    path("delete/", _refuses_after_deleting),
    path("fail/", _fails_a_code),
]


def test_fuzzer_reports_500s_and_forbidden_changes(world: World, settings: Any) -> None:
    """The checks above catch what they are for, and allow exactly a failed code's count."""
    settings.ROOT_URLCONF = __name__
    client, actor, staff = role_clients(world)["verified"]
    fuzzer = Fuzzer()
    fuzzer.run(client, "verified", actor, staff, Case("crash", "GET", "/crash/"))
    fuzzer.run(client, "verified", actor, staff, Case("delete", "POST", "/delete/", []))
    assert len(fuzzer.findings) == 2, fuzzer.findings
    assert fuzzer.findings[0].startswith("500 [verified] GET /crash/")
    assert "refused, yet otp_core_totp.totpdevice" in fuzzer.findings[1]
    assert "deleted" in fuzzer.findings[1]
    # Rolled back: bob's device is still there.
    assert TOTPDevice.objects.filter(user=world.bob).exists()
    fuzzer.run(client, "verified", actor, staff, Case("fail", "POST", "/fail/", []))
    assert len(fuzzer.findings) == 2, fuzzer.findings[2:]
