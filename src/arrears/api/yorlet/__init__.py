"""The Yorlet face, mounted under /yorlet: Stripe-shaped objects with Yorlet's fields, keys and errors."""
