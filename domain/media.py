"""Media kinds and formats: magic-byte sniffing, name/MIME lookup, format decisions and size limits."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .errors import ResourceTooLarge, UnsupportedFormat
from .media_source import DataUrl, HttpUrl, LocalPath, MediaSource

__all__ = [
    "MEDIA_LIMIT_DEFAULTS",
    "SNIFF_BYTES",
    "DataUrl",
    "HttpUrl",
    "LocalPath",
    "MediaFormat",
    "MediaKind",
    "MediaLimits",
    "MediaSource",
    "decide_format",
    "format_from_extension",
    "format_from_mime",
    "sniff_format",
    "setting_prefix",
    "too_large",
]

SNIFF_BYTES = 64
"""How many leading bytes ``sniff_format`` wants; ISO-BMFF compatible brands sit within them."""

MIB = 1024 * 1024


class MediaKind(enum.StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class _Spec:
    kind: MediaKind
    mime: str
    extension: str


class MediaFormat(enum.StrEnum):
    """A media format we accept; the value is its short name (``"mov"``, ``"m4a"``)."""

    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"
    BMP = "bmp"
    HEIC = "heic"
    WAV = "wav"
    MP3 = "mp3"
    FLAC = "flac"
    OGG = "ogg"
    AAC = "aac"
    M4A = "m4a"
    AIFF = "aiff"
    MP4 = "mp4"
    MOV = "mov"
    WEBM = "webm"
    MPEG = "mpeg"

    @property
    def kind(self) -> MediaKind:
        return _SPECS[self].kind

    @property
    def mime(self) -> str:
        """The standard MIME type (``video/quicktime`` for mov, ``audio/mpeg`` for mp3)."""
        return _SPECS[self].mime

    @property
    def extension(self) -> str:
        """The canonical file extension, without the dot (``"jpg"`` for JPEG)."""
        return _SPECS[self].extension

    @property
    def audio_format(self) -> str | None:
        """The OpenRouter ``input_audio.format`` name, or None for non-audio formats."""
        return self.value if self.kind is MediaKind.AUDIO else None

    @classmethod
    def of_kind(cls, kind: MediaKind) -> tuple[MediaFormat, ...]:
        return tuple(f for f in cls if f.kind is kind)


_I, _A, _V = MediaKind.IMAGE, MediaKind.AUDIO, MediaKind.VIDEO
_F = MediaFormat
_SPECS: dict[MediaFormat, _Spec] = {
    _F.PNG: _Spec(_I, "image/png", "png"),
    _F.JPEG: _Spec(_I, "image/jpeg", "jpg"),
    _F.GIF: _Spec(_I, "image/gif", "gif"),
    _F.WEBP: _Spec(_I, "image/webp", "webp"),
    _F.BMP: _Spec(_I, "image/bmp", "bmp"),
    _F.HEIC: _Spec(_I, "image/heic", "heic"),
    _F.WAV: _Spec(_A, "audio/wav", "wav"),
    _F.MP3: _Spec(_A, "audio/mpeg", "mp3"),
    _F.FLAC: _Spec(_A, "audio/flac", "flac"),
    _F.OGG: _Spec(_A, "audio/ogg", "ogg"),
    _F.AAC: _Spec(_A, "audio/aac", "aac"),
    _F.M4A: _Spec(_A, "audio/mp4", "m4a"),
    _F.AIFF: _Spec(_A, "audio/aiff", "aiff"),
    _F.MP4: _Spec(_V, "video/mp4", "mp4"),
    _F.MOV: _Spec(_V, "video/quicktime", "mov"),
    _F.WEBM: _Spec(_V, "video/webm", "webm"),
    _F.MPEG: _Spec(_V, "video/mpeg", "mpeg"),
}

_EXTENSIONS: dict[str, MediaFormat] = {
    **{f.value: f for f in MediaFormat},
    "jpg": _F.JPEG, "jpe": _F.JPEG, "jfif": _F.JPEG, "heif": _F.HEIC, "wave": _F.WAV,
    "oga": _F.OGG, "opus": _F.OGG, "aif": _F.AIFF, "aifc": _F.AIFF, "m4v": _F.MP4,
    "mpg": _F.MPEG, "mpe": _F.MPEG, "qt": _F.MOV,
}  # fmt: skip

_MIMES: dict[str, MediaFormat] = {
    **{f.mime: f for f in MediaFormat},
    "image/jpg": _F.JPEG, "image/pjpeg": _F.JPEG, "image/x-ms-bmp": _F.BMP, "image/x-bmp": _F.BMP,
    "image/heif": _F.HEIC, "audio/x-wav": _F.WAV, "audio/wave": _F.WAV, "audio/vnd.wave": _F.WAV,
    "audio/mp3": _F.MP3, "audio/x-mp3": _F.MP3, "audio/mpeg3": _F.MP3, "audio/x-mpeg": _F.MP3,
    "audio/x-flac": _F.FLAC, "application/ogg": _F.OGG, "audio/x-aac": _F.AAC, "audio/aacp": _F.AAC,
    "audio/x-m4a": _F.M4A, "audio/m4a": _F.M4A, "audio/x-aiff": _F.AIFF, "audio/x-aifc": _F.AIFF,
    "video/mov": _F.MOV, "video/x-quicktime": _F.MOV, "video/x-m4v": _F.MP4, "video/mpg": _F.MPEG,
}  # fmt: skip

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
_BMP_DIB_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def _iso_bmff(head: bytes) -> MediaFormat | None:
    """Tell HEIC, M4A, MOV and MP4 apart by the ``ftyp`` brands; AVIF (unsupported) is None."""
    box_end = min(int.from_bytes(head[0:4], "big"), len(head))
    major = head[8:12]
    brands = {head[i : i + 4] for i in range(16, box_end - 3, 4)} | {major}
    if brands & {b"avif", b"avis"}:
        return None
    if major in _HEIC_BRANDS:
        return MediaFormat.HEIC
    if major in (b"M4A ", b"M4B ") or (major != b"qt  " and b"M4A " in brands):
        return MediaFormat.M4A
    return MediaFormat.MOV if major == b"qt  " else MediaFormat.MP4


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, then no reserved version, layer, bitrate or rate."""
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    return version != 1 and layer != 0 and head[2] >> 4 != 0xF and (head[2] >> 2) & 3 != 3


def sniff_format(head: bytes) -> MediaFormat | None:
    """Identify a format by its leading bytes (pass at least ``SNIFF_BYTES``); None if unknown."""
    if head[4:8] == b"ftyp" and len(head) >= 12:
        return _iso_bmff(head)
    riff = head[8:12] if head[:4] == b"RIFF" else b""
    form = head[8:12] if head[:4] == b"FORM" else b""
    checks: tuple[tuple[bool, MediaFormat], ...] = (
        (head[:4] == b"\x89PNG", MediaFormat.PNG),
        (head[:3] == b"\xff\xd8\xff", MediaFormat.JPEG),
        (head[:4] == b"GIF8", MediaFormat.GIF),
        (riff == b"WEBP", MediaFormat.WEBP),
        (riff == b"WAVE", MediaFormat.WAV),
        (head[:4] == b"fLaC", MediaFormat.FLAC),
        (head[:4] == b"OggS", MediaFormat.OGG),
        (form in (b"AIFF", b"AIFC"), MediaFormat.AIFF),
        (head[:4] == b"\x1a\x45\xdf\xa3", MediaFormat.WEBM),
        (head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"), MediaFormat.MPEG),
        (head[:3] == b"ID3", MediaFormat.MP3),
        (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0, MediaFormat.AAC),
        (_mpeg_audio_frame(head), MediaFormat.MP3),
    )
    for matched, fmt in checks:
        if matched:
            return fmt
    if head[:2] == b"BM" and (len(head) < 18 or int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES):
        return MediaFormat.BMP
    return None


def format_from_extension(name: str) -> MediaFormat | None:
    """The format a file name or path suggests by its extension (case-insensitive), or None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return _EXTENSIONS.get(ext.lower()) if dot and stem else None


def format_from_mime(mime: str) -> MediaFormat | None:
    """The format a MIME type names (parameters ignored, common aliases accepted), or None."""
    return _MIMES.get(mime.split(";", 1)[0].strip().lower())


def _accepted(kind: MediaKind) -> str:
    return f"accepted {kind.value} formats: " + ", ".join(f.value for f in MediaFormat.of_kind(kind))


def decide_format(
    kind: MediaKind, head: bytes, name: str | None = None, mime: str | None = None
) -> MediaFormat:
    """Pick the format of media that must be of ``kind``: magic bytes, then extension, then MIME.

    The first source that recognises anything decides, so content that contradicts a
    caller's label wins. An MP4 container handed over as audio with an ``.m4a``/``audio/mp4``
    label is M4A. Raises ``UnsupportedFormat`` when the winner is of another kind (saying
    what it is) or nothing is recognised (listing the formats accepted for ``kind``).
    """
    by_name = format_from_extension(name) if name else None
    by_mime = format_from_mime(mime) if mime else None
    sniffed = sniff_format(head)
    if sniffed is MediaFormat.MP4 and kind is MediaKind.AUDIO and MediaFormat.M4A in (by_name, by_mime):
        return MediaFormat.M4A
    for source, fmt in (("content", sniffed), ("file extension", by_name), ("MIME type", by_mime)):
        if fmt is None:
            continue
        if fmt.kind is kind:
            return fmt
        hint = " (for audio-only MP4, use an .m4a name)" if fmt is MediaFormat.MP4 else ""
        raise UnsupportedFormat(
            f"the input's {source} says it is a {fmt.value} {fmt.kind.value}, not {kind.value}{hint}; "
            f"pass a file in one of the {_accepted(kind)}."
        )
    label = f"'{name}'" if name else "the input"
    raise UnsupportedFormat(f"could not recognise the format of {label}; {_accepted(kind)}.")


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Caps applied before media is read, downloaded or decoded, so one input cannot exhaust memory."""

    max_download_bytes: int
    max_data_url_bytes: int
    max_redirects: int
    fetch_timeout_s: float


MEDIA_LIMIT_DEFAULTS: dict[MediaKind, MediaLimits] = {
    MediaKind.IMAGE: MediaLimits(25 * MIB, 20 * MIB, 8, 30.0),
    MediaKind.AUDIO: MediaLimits(25 * MIB, 20 * MIB, 8, 30.0),
    MediaKind.VIDEO: MediaLimits(100 * MIB, 100 * MIB, 8, 60.0),
}


def setting_prefix(kind: MediaKind) -> str:
    """The field-name prefix of a kind's limit settings: ``image`` as in ``image_max_download_bytes``."""
    return kind.value


def too_large(kind: MediaKind, what: str, limit_bytes: int, setting: str) -> ResourceTooLarge:
    """The error for ``what`` (e.g. "download", "data URL") exceeding ``limit_bytes`` of ``kind``."""
    mib = limit_bytes / MIB
    shown = f"{mib:.0f}" if mib == int(mib) else f"{mib:.1f}"
    return ResourceTooLarge(
        f"the {kind.value} {what} is larger than the {shown} MiB limit: use a smaller file, "
        f"or raise the limit with {setting} (in bytes).",
        details={"limit_bytes": limit_bytes, "setting": setting},
    )
