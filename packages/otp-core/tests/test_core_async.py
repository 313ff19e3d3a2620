"""otp-core in async stacks: the middleware, the decorator, the mixin and request.otp.

In-process through Django's ASGI handler (AsyncClient), then once more over
real HTTP under uvicorn on loopback.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import HttpResponse

from otp_core.middleware import OTPMiddleware
from otp_core.session import record_verification


def verified(client: Any, user: Any, device: Any) -> None:
    client.force_login(user)
    session = client.session
    record_verification(session, device)
    session.save()


def test_the_middleware_stays_async_in_an_async_stack():
    async def get_response(request):
        return HttpResponse()

    middleware = OTPMiddleware(get_response)
    assert iscoroutinefunction(middleware)
    assert not iscoroutinefunction(OTPMiddleware(lambda request: HttpResponse()))


@pytest.mark.django_db(transaction=True)
def test_async_views_refuse_anonymous_users(async_client):
    async def run():
        anonymous = await async_client.get("/protected/async/")
        assert anonymous.status_code == 302
        assert anonymous["Location"].endswith("?next=/protected/async/")
        mixin = await async_client.get("/protected/async-mixin/")
        assert mixin.status_code == 302

    asyncio.run(run())


@pytest.mark.django_db(transaction=True)
def test_async_views_admit_a_verified_session(async_client, client, user, device, hw_device):
    verified(client, user, device)
    async_client.cookies = client.cookies

    async def run():
        granted = await async_client.get("/protected/async/")
        assert granted.status_code == 200
        assert b"access granted" in granted.content
        mixin = await async_client.get("/protected/async-mixin/")
        assert mixin.status_code == 200
        assert b"(otp,pwd)" in mixin.content
        # A policy the session does not meet is a refusal, as in sync views.
        step_up = await async_client.get("/protected/async-step-up/")
        assert step_up.status_code == 302
        state = await async_client.get("/async-state/")
        assert state.content == b"verified=True hwk=False"

    asyncio.run(run())

    # A hardware key verified too: the step-up passes.
    session = client.session
    record_verification(session, hw_device)
    session.save()

    async def again():
        assert (await async_client.get("/protected/async-step-up/")).status_code == 200
        assert (await async_client.get("/async-state/")).content == b"verified=True hwk=True"

    asyncio.run(again())


@pytest.mark.django_db(transaction=True)
def test_an_async_view_is_protected_under_a_real_asgi_server(client, user, device):
    import uvicorn  # tools/requirements-test.txt
    from django.core.asgi import get_asgi_application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(get_asgi_application(), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)

        def get(path: str, cookie: str = "") -> tuple[int, bytes]:
            request = urllib.request.Request(base + path, headers={"Cookie": cookie})
            try:
                with opener.open(request, timeout=10) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.read()

        status, _ = get("/protected/async/")
        assert status == 302
        client.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        assert get("/protected/async/", cookie)[0] == 302  # signed in, not verified
        verified(client, user, device)
        status, body = get("/protected/async/", cookie)
        assert status == 200
        assert b"access granted" in body
        assert get("/protected/async-mixin/", cookie)[0] == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)
