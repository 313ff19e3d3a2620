"""Moved to :mod:`otp_core.user_agents` (signed-in browsers are otp-core's)."""

from otp_core.user_agents import describe_user_agent

__all__ = ["describe_user_agent"]
