"""The short browser names the account page lists remembered browsers by."""

from __future__ import annotations

import pytest

from two_factor_ui.user_agents import describe_user_agent

AGENTS = [
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36",
        "Chrome on Android",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Safari on iPhone",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
        "Chrome on iPhone",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68",
        "Edge on Windows",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
        "Firefox on macOS",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
        "Opera on Linux",
    ),
    ("curl/8.5.0", "Unknown browser"),
    ("", "Unknown browser"),
    (None, "Unknown browser"),
]


@pytest.mark.parametrize(("agent", "expected"), AGENTS)
def test_describe_user_agent(agent, expected):
    assert describe_user_agent(agent) == expected


def test_a_long_agent_gives_a_short_name():
    assert len(describe_user_agent("Firefox/1 " + "x" * 100_000)) <= 64
