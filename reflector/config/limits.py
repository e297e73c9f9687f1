"""Request size limits: larger bodies get 413 unread."""

WEBHOOK_MAX_BODY = 256 * 1024
API_MAX_BODY = 1024 * 1024
