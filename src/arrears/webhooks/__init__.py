"""Webhook delivery: the outbox reader (worker.py) and Stripe's signature scheme (signing.py)."""
