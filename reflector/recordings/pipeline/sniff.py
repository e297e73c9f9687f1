"""Is it audio or video? Told from a file's first bytes, while it streams in, so that a
text file or an image is refused before anything of it is stored.

The signatures are the containers' own magic numbers; ffmpeg reads every one of them.
"""

from collections.abc import AsyncIterator

from reflector.infra.storage import NotMedia

HEAD_BYTES = 512
# (offset, bytes) pairs that must all match; the name is what a refusal does not say.
_SIGNATURES: tuple[tuple[tuple[tuple[int, bytes], ...], str], ...] = (
    (((0, b"RIFF"), (8, b"WAVE")), "WAV"),
    (((0, b"RIFF"), (8, b"AVI ")), "AVI"),
    (((0, b"FORM"), (8, b"AIFF")), "AIFF"),
    (((0, b"FORM"), (8, b"AIFC")), "AIFF-C"),
    (((4, b"ftyp"),), "MP4/QuickTime"),
    (((4, b"moov"),), "QuickTime"),
    (((4, b"mdat"),), "QuickTime"),
    (((4, b"wide"),), "QuickTime"),
    (((4, b"free"),), "QuickTime"),
    (((0, b"\x1a\x45\xdf\xa3"),), "Matroska/WebM"),
    (((0, b"OggS"),), "Ogg"),
    (((0, b"fLaC"),), "FLAC"),
    (((0, b"ID3"),), "MP3"),
    (((0, b"#!AMR"),), "AMR"),
    (((0, b"FLV"),), "FLV"),
    (((0, b"caff"),), "CAF"),
    (((0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),), "ASF/WMA"),
    (((0, b"\x00\x00\x01\xba"),), "MPEG-PS"),
    (((0, b"\x00\x00\x01\xb3"),), "MPEG video"),
)


def media_container(head: bytes) -> str | None:
    """The container `head` starts, or None."""
    for checks, name in _SIGNATURES:
        if all(head[at : at + len(magic)] == magic for at, magic in checks):
            return name
    # MPEG audio and ADTS AAC frames start with an 11- or 12-bit sync word.
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "MPEG audio"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "MPEG-TS"
    return None


async def media_only(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`chunks` unchanged, once their first bytes show audio or video; `NotMedia` otherwise,
    before a single chunk is passed on."""
    head = b""
    async for chunk in chunks:
        head += chunk
        if len(head) >= HEAD_BYTES:
            break
    if media_container(head) is None:
        raise NotMedia(_described(head))
    if head:
        yield head
    async for chunk in chunks:
        yield chunk


def _described(head: bytes) -> str:
    if not head:
        return "the file is empty"
    if head.lstrip()[:1] in (b"{", b"[", b"<") or head.isascii():
        return "the file is text, not audio or video"
    return "the file is not audio or video in any format this service reads"
