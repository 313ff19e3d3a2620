"""Minimal Django projects for ``tools/bench/bench_signin.py``: ours, the peers', plain Django.

Each settings module shares :mod:`common` (database, sessions, hasher,
contrib apps, middleware) and adds only its sign-in stack, so the
difference measured is the two-factor code and nothing else.
"""
