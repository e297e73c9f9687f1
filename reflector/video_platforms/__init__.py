"""The video-platform layer: one interface, one registry, one package per platform."""
