"""The Stripe face: Stripe's paths, parameters, objects and errors, unchanged."""
