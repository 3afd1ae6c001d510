"""The Stripe CLI's loop against a running arrears server, from the command line: ``trigger``, ``fixtures``,
``listen``, ``logs tail``, ``events``. Every module here is a client of the server's HTTP API (``client.py``);
nothing reads the database."""
