"""The recording pipeline: storage, media, transcription."""
