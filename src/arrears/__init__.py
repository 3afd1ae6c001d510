"""arrears: a Stripe-compatible invoicing server that keeps books on bad debt."""

__version__ = "0.1.0"
STRIPE_API_VERSION = "2026-10-28.endive"
