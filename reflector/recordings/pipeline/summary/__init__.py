"""A meeting's record from its transcript: a title, a summary, topics with their times,
decisions and action items, asked of any server speaking OpenAI's chat-completions API.

The model only ever cites segments by number; the times come from the transcript.
"""
