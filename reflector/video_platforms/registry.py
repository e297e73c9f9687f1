"""The one list of platforms. Adding a platform is adding its package and one line here."""

from reflector.video_platforms import jitsi, mock
from reflector.video_platforms.spec import PlatformSpec

PLATFORMS: tuple[PlatformSpec, ...] = (jitsi.PLATFORM, mock.PLATFORM)
