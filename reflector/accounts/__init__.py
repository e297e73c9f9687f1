"""Who may do what: users and their passwords, API keys and the caller they name, signed-in
browsers, and the rate limits every process shares."""
