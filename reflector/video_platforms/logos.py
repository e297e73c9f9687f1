"""The logo a platform puts on its rooms, as the multipart part its API takes."""

import asyncio
from pathlib import Path

_IMAGE_TYPES = {".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}

# (file name, bytes, content type): one `files=` entry of an httpx request.
ImagePart = tuple[str, bytes, str]


async def logo_part(logo_path: str) -> ImagePart | None:
    """The image at `logo_path`, read off the event loop; None if it cannot be read."""
    path = Path(logo_path)
    try:
        image = await asyncio.to_thread(path.read_bytes)
    except OSError:
        return None
    return path.name, image, _IMAGE_TYPES.get(path.suffix.lower(), "image/png")
