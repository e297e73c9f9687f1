"""The one list of platforms. Adding a platform is adding its package and one line here."""

from reflector.video_platforms import daily, jitsi, mock, whereby
from reflector.video_platforms.spec import PlatformSpec

PLATFORMS: tuple[PlatformSpec, ...] = (
    daily.PLATFORM,
    jitsi.PLATFORM,
    mock.PLATFORM,
    whereby.PLATFORM,
)
