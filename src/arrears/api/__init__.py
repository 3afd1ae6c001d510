"""The faces. Each package turns its wire dialect into service calls and back; no rule lives here."""
