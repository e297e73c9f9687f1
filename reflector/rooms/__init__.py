"""Rooms and what happens in them: the directory of rooms (who sees and changes which),
meetings and their lifecycle, participant sessions and their reconciliation with platforms,
deleting rooms and people, and the webhooks a room sends out."""
