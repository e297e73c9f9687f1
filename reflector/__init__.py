"""Reflector: persistent meeting rooms on any video platform."""

from importlib.metadata import version

__version__ = version("reflector")
# How Reflector names itself to the servers it calls: room webhooks, platforms, downloads.
USER_AGENT = f"Reflector/{__version__}"
