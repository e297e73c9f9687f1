"""The worker engine: Celery on the embedded SQLite broker or Redis, an outbox relay, leases."""
