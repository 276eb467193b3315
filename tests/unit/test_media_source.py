"""Media source parsing, magic-byte sniffing, format decisions and limits."""

from __future__ import annotations

import base64

import pytest

from openrouter_multimodal.domain.errors import InvalidInput, ResourceTooLarge, UnsupportedFormat
from openrouter_multimodal.domain.media import (
    MEDIA_LIMIT_DEFAULTS,
    DataUrl,
    HttpUrl,
    LocalPath,
    MediaFormat,
    MediaKind,
    MediaLimits,
    MediaSource,
    decide_format,
    format_from_extension,
    format_from_mime,
    setting_prefix,
    sniff_format,
    too_large,
)

MIB = 1024 * 1024
F = MediaFormat


@pytest.mark.parametrize(
    ("raw", "path", "home", "windows"),
    [
        ("/tmp/a.png", "/tmp/a.png", False, False),
        ("  relative/b.wav  ", "relative/b.wav", False, False),
        ("~/Pictures/c.jpg", "~/Pictures/c.jpg", True, False),
        ("C:\\Users\\x\\y.png", "C:\\Users\\x\\y.png", False, True),
        ("C:/Users/x.png", "C:/Users/x.png", False, True),
        ("\\\\server\\share\\x.mp4", "\\\\server\\share\\x.mp4", False, True),
        ("./odd:name.png", "./odd:name.png", False, False),
    ],
)
def test_local_paths(raw: str, path: str, home: bool, windows: bool) -> None:
    assert MediaSource.parse(raw) == LocalPath(path=path, home_relative=home, windows_style=windows)


def test_http_urls() -> None:
    src = MediaSource.parse("HTTPS://Example.com:8443/a/b.png?x=1")
    assert isinstance(src, HttpUrl)
    assert (src.scheme, src.host, src.port) == ("https", "example.com", 8443)
    assert str(src) == "HTTPS://Example.com:8443/a/b.png?x=1"


@pytest.mark.parametrize(
    "raw",
    ["https://alice:s3cret@example.com/a.png", "http://t0ken@example.com/a.png", "http://evil\\@good.com/"],
)
def test_credentials_and_backslash_urls_rejected(raw: str) -> None:
    with pytest.raises(InvalidInput) as info:
        MediaSource.parse(raw)
    assert "s3cret" not in info.value.message and "t0ken" not in info.value.message


@pytest.mark.parametrize("raw", ["http://", "https:///x.png", "http://host:99999/x", "http://a b/x"])
def test_malformed_urls_rejected(raw: str) -> None:
    with pytest.raises(InvalidInput):
        MediaSource.parse(raw)


@pytest.mark.parametrize(
    "raw", ["file:///etc/passwd", "ftp://host/a.png", "gopher://host/", "javascript:alert(1)"]
)
def test_other_schemes_rejected_listing_forms(raw: str) -> None:
    with pytest.raises(InvalidInput, match=r"a local file path, an http\(s\) URL, or a base64 data: URL"):
        MediaSource.parse(raw)


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "a\x00b"])
def test_blank_or_nul_rejected(raw: str) -> None:
    with pytest.raises(InvalidInput, match="local file path"):
        MediaSource.parse(raw)


def test_data_url_with_params_and_lazy_decode() -> None:
    payload = base64.b64encode(b"\x89PNG\r\n\x1a\nrest").decode()
    src = MediaSource.parse(f"data:image/PNG;name=pic.png;charset=x;base64,{payload}")
    assert isinstance(src, DataUrl)
    assert src.mime == "image/png"
    assert src.params == ("name=pic.png", "charset=x")
    assert src.filename == "pic.png"
    assert src.decoded_size_estimate == -(-len(payload) * 3 // 4)
    assert src.decoded_size_estimate >= len(src.decode())
    assert src.decode() == b"\x89PNG\r\n\x1a\nrest"
    assert payload not in repr(src)


def test_data_url_uppercase_scheme_urlsafe_and_missing_padding() -> None:
    src = MediaSource.parse("DATA:audio/wav;base64,-_8")
    assert isinstance(src, DataUrl)
    assert src.decode() == base64.b64decode("+/8=")


def test_data_url_whitespace_in_payload_ignored() -> None:
    src = DataUrl.parse("data:image/gif;base64,R0lG\nODlh")
    assert src.decode() == b"GIF89a"


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ("data:image/png,rawbytes", "only base64"),
        ("data:image/png;charset=utf-8,abc", "only base64"),
        ("data:;base64,AAAA", "MIME type"),
        ("data:image/png;base64", "','"),
        ("data:image/png;base64,", "empty payload"),
    ],
)
def test_bad_data_urls_rejected(raw: str, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        MediaSource.parse(raw)


@pytest.mark.parametrize("payload", ["ab$d", "abcde", "é123"])
def test_data_url_bad_base64_fails_on_decode(payload: str) -> None:
    src = MediaSource.parse(f"data:image/png;base64,{payload}")
    assert isinstance(src, DataUrl)
    with pytest.raises(InvalidInput, match="not valid base64"):
        src.decode()


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\x00\x00\x00\x08free"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n", F.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", F.JPEG),
        (b"GIF89a", F.GIF),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", F.WEBP),
        (b"BM" + b"\x00" * 12 + (40).to_bytes(4, "little"), F.BMP),
        (b"BM" + b"\x00" * 12 + (7).to_bytes(4, "little"), None),
        (_ftyp(b"heic", b"mif1", b"heic"), F.HEIC),
        (_ftyp(b"mif1", b"heic"), F.HEIC),
        (_ftyp(b"avif", b"mif1"), None),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", F.WAV),
        (b"ID3\x04\x00", F.MP3),
        (b"\xff\xfb\x90\x64", F.MP3),
        (b"\xff\xf3\x48\xc4", F.MP3),
        (b"\xff\xeb\x90\x64", None),
        (b"\xff\xf9\x90\x64", F.AAC),
        (b"\xff\xfb\xf0\x64", None),
        (b"\xff\xfb\x9c\x64", None),
        (b"\xff\xf1\x50\x80", F.AAC),
        (b"\xff\xf9\x50\x80", F.AAC),
        (b"fLaC\x00\x00\x00\x22", F.FLAC),
        (b"OggS\x00\x02", F.OGG),
        (_ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), F.M4A),
        (_ftyp(b"mp42", b"isom", b"M4A "), F.M4A),
        (b"FORM\x00\x00\x00\x00AIFFCOMM", F.AIFF),
        (b"FORM\x00\x00\x00\x00AIFCFVER", F.AIFF),
        (_ftyp(b"qt  ", b"qt  "), F.MOV),
        (_ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), F.MP4),
        (_ftyp(b"mp42"), F.MP4),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", F.WEBM),
        (b"\x00\x00\x01\xba\x44", F.MPEG),
        (b"\x00\x00\x01\xb3\x14", F.MPEG),
        (b"", None),
        (b"hello world", None),
    ],
)
def test_sniff_format(head: bytes, expected: MediaFormat | None) -> None:
    assert sniff_format(head) is expected


@pytest.mark.parametrize(
    ("fmt", "kind", "mime", "ext"),
    [
        (F.PNG, MediaKind.IMAGE, "image/png", "png"),
        (F.JPEG, MediaKind.IMAGE, "image/jpeg", "jpg"),
        (F.HEIC, MediaKind.IMAGE, "image/heic", "heic"),
        (F.MP3, MediaKind.AUDIO, "audio/mpeg", "mp3"),
        (F.M4A, MediaKind.AUDIO, "audio/mp4", "m4a"),
        (F.AIFF, MediaKind.AUDIO, "audio/aiff", "aiff"),
        (F.WAV, MediaKind.AUDIO, "audio/wav", "wav"),
        (F.MOV, MediaKind.VIDEO, "video/quicktime", "mov"),
        (F.MPEG, MediaKind.VIDEO, "video/mpeg", "mpeg"),
    ],
)
def test_standard_names(fmt: MediaFormat, kind: MediaKind, mime: str, ext: str) -> None:
    assert (fmt.kind, fmt.mime, fmt.extension) == (kind, mime, ext)


def test_audio_format_names_and_kinds() -> None:
    audio = MediaFormat.of_kind(MediaKind.AUDIO)
    assert [f.audio_format for f in audio] == ["wav", "mp3", "flac", "ogg", "aac", "m4a", "aiff"]
    assert F.PNG.audio_format is None
    assert [f.value for f in MediaFormat.of_kind(MediaKind.VIDEO)] == ["mp4", "mov", "webm", "mpeg"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.JPG", F.JPEG),
        ("/a/b.jpeg", F.JPEG),
        ("C:\\clips\\x.M4V", F.MP4),
        ("x.mpg", F.MPEG),
        ("x.qt", F.MOV),
        ("x.aif", F.AIFF),
        ("x.heif", F.HEIC),
        ("song.m4a", F.M4A),
        ("noext", None),
        (".png", None),
        ("x.txt", None),
    ],
)
def test_format_from_extension(name: str, expected: MediaFormat | None) -> None:
    assert format_from_extension(name) is expected


@pytest.mark.parametrize(
    ("mime", "expected"),
    [
        ("image/jpg", F.JPEG),
        ("IMAGE/PNG; charset=binary", F.PNG),
        ("audio/x-wav", F.WAV),
        ("audio/wave", F.WAV),
        ("audio/mp3", F.MP3),
        ("audio/x-aac", F.AAC),
        ("audio/x-m4a", F.M4A),
        ("audio/x-aiff", F.AIFF),
        ("video/mov", F.MOV),
        ("video/x-quicktime", F.MOV),
        ("video/quicktime", F.MOV),
        ("video/x-m4v", F.MP4),
        ("application/octet-stream", None),
    ],
)
def test_format_from_mime(mime: str, expected: MediaFormat | None) -> None:
    assert format_from_mime(mime) is expected


def test_decide_magic_beats_wrong_extension_and_mime() -> None:
    assert decide_format(MediaKind.IMAGE, b"GIF89a", "x.png", "image/jpeg") is F.GIF


def test_decide_extension_beats_wrong_mime() -> None:
    assert decide_format(MediaKind.AUDIO, b"????", "x.flac", "audio/wav") is F.FLAC


def test_decide_falls_back_to_mime() -> None:
    assert decide_format(MediaKind.VIDEO, b"????", "download", "video/quicktime; codecs=x") is F.MOV


def test_decide_mp4_container_labelled_m4a_is_audio() -> None:
    head = _ftyp(b"isom", b"isom", b"mp41")
    assert decide_format(MediaKind.AUDIO, head, "voice.m4a") is F.M4A
    assert decide_format(MediaKind.VIDEO, head, "voice.m4a") is F.MP4
    with pytest.raises(UnsupportedFormat, match=r"\.m4a"):
        decide_format(MediaKind.AUDIO, head, "clip.mp4")


def test_decide_other_kind_by_magic_says_what_it_is() -> None:
    with pytest.raises(UnsupportedFormat, match="png image, not audio") as info:
        decide_format(MediaKind.AUDIO, b"\x89PNG\r\n\x1a\n", "x.mp3")
    assert "accepted audio formats: wav, mp3, flac, ogg, aac, m4a, aiff" in info.value.message


def test_decide_other_kind_by_extension() -> None:
    with pytest.raises(UnsupportedFormat, match="mp4 video, not image"):
        decide_format(MediaKind.IMAGE, b"", "clip.mp4", "image/png")


def test_decide_unrecognised_lists_formats() -> None:
    with pytest.raises(UnsupportedFormat, match="accepted video formats: mp4, mov, webm, mpeg") as info:
        decide_format(MediaKind.VIDEO, b"\x00" * 16, "clip.mkv", "video/x-matroska")
    assert "'clip.mkv'" in info.value.message


def test_limit_defaults_and_setting_prefix() -> None:
    assert {
        MediaKind.IMAGE: MediaLimits(25 * MIB, 20 * MIB, 8, 30.0),
        MediaKind.AUDIO: MediaLimits(25 * MIB, 20 * MIB, 8, 30.0),
        MediaKind.VIDEO: MediaLimits(100 * MIB, 100 * MIB, 8, 60.0),
    } == MEDIA_LIMIT_DEFAULTS
    assert [setting_prefix(k) for k in MediaKind] == ["image", "audio", "video"]


def test_too_large_names_limit_and_setting() -> None:
    err = too_large(MediaKind.VIDEO, "download", 100 * MIB, "${video_max_download_bytes}")
    assert isinstance(err, ResourceTooLarge)
    assert "100 MiB" in err.message and "${video_max_download_bytes}" in err.message
    assert err.details["setting"] == "${video_max_download_bytes}"
    assert "2.5 MiB" in too_large(MediaKind.IMAGE, "data URL", 5 * MIB // 2, "X").message
