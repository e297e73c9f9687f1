"""Reflector: persistent meeting rooms on any video platform."""
