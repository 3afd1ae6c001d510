"""The dashboard face: server-rendered HTML at ``/dashboard`` for people who would rather look than curl.

Like every face it is thin: pages read through the store, and the action buttons call the same services
as the Stripe face (``services.transitions``), offering only what ``domain.invoice.allowed_actions``
allows. ``routes.py`` is the route table (with the key permission each page needs); ``access.py`` signs
in through ``env.auth`` and checks the session's key on every request; every store call runs in the
session's scope (ADR 0006); ``session.py`` the signed cookie and CSRF tokens;
``charts.py`` draws the bad-debt charts as inline SVG on the server (no JavaScript library).
"""
