"""What every layer may use and that knows nothing of meetings: the clock, storage, errors
and their classes for jobs, metrics, input validation."""
