"""Recordings and what is made of them: files coming in as tracks, platforms' announcements
and server-started recordings, consent and how long things are kept, transcripts, their
summaries and search. Processing itself is `reflector.recordings.pipeline`."""
