"""HTTP routes of the core; platform routes live in their platform's package."""
