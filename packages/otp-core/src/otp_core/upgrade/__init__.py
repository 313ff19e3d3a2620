"""Moving a project over from django-otp and django-two-factor-auth.

``python -m otp_core.upgrade PATH...`` rewrites imports, dotted names,
settings, URL names and template names from the table in :mod:`.names`
(see :mod:`.rewrite`); ``--check`` only reports, ``--diff`` shows the change.
"""
