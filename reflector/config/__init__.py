"""Settings: the core's, loaded with every platform's and checked together, the checks every
command makes before it starts, and request size limits."""
