"""The output sandbox's lexical rules, extension correction and the per-platform default directory."""

from __future__ import annotations

import pytest

from openrouter_multimodal.domain.errors import ConfigurationError, InvalidInput, UnsafePath
from openrouter_multimodal.domain.save_policy import SavePolicy, correct_extension, default_output_root

ROOT = "/data/out"
POLICY = SavePolicy(ROOT)


def cand(requested: str | None, policy: SavePolicy = POLICY, extension: str = "png") -> str:
    return policy.candidate(requested, stem="image", extension=extension, unique="20250101-120000-abc")


def test_automatic_name_uses_stem_unique_and_extension() -> None:
    assert cand(None) == "/data/out/image-20250101-120000-abc.png"
    assert cand(None, extension=".MP4") == "/data/out/image-20250101-120000-abc.mp4"


def test_automatic_name_sanitises_stem_and_unique() -> None:
    name = POLICY.candidate(None, stem="../my video", extension="mp4", unique="a/b")
    assert name == "/data/out/my-video-a-b.mp4"


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("out.png", "/data/out/out.png"),
        ("./out.png", "/data/out/out.png"),
        ("a/../out.png", "/data/out/out.png"),
        ("nested/out.mp3", "/data/out/nested/out.mp3"),
        ("deep/er/clip.mp4", "/data/out/deep/er/clip.mp4"),
        ("  spaced.png  ", "/data/out/spaced.png"),
        ("/data/out/abs.png", "/data/out/abs.png"),
        ("/data/out/sub/../abs.png", "/data/out/abs.png"),
        ("%2e%2e/x.png", "/data/out/%2e%2e/x.png"),
    ],
)
def test_names_inside_root(requested: str, expected: str) -> None:
    assert cand(requested) == expected


def test_windows_separators_in_relative_names_are_separators() -> None:
    assert cand("videos\\clip.mp4") == "/data/out/videos/clip.mp4"
    with pytest.raises(UnsafePath):
        cand("..\\x.png")


@pytest.mark.parametrize(
    "requested",
    ["../x.png", "sub/../../x", "../../../tmp/evil.mp4", "/etc/cron.d/x", "/data/out-evil/x.png", "/data/x.png"],
)
def test_escapes_are_unsafe_and_name_the_settings(requested: str) -> None:
    with pytest.raises(UnsafePath) as info:
        cand(requested)
    assert "${output_dir}" in info.value.message
    assert "${allow_unsafe_paths}=1" in info.value.message
    assert "\n" not in info.value.message


def test_allow_unsafe_permits_outside_paths() -> None:
    unsafe = SavePolicy(ROOT, allow_unsafe=True)
    assert cand("/etc/hosts.png", unsafe) == "/etc/hosts.png"
    assert cand("../sibling/x.png", unsafe) == "/data/sibling/x.png"


@pytest.mark.parametrize("requested", ["", "   ", ".", "sub/", "sub\\", "sub/.", "a/..", "/data/out", "/data/out/"])
def test_empty_or_directory_like_names_are_invalid(requested: str) -> None:
    with pytest.raises(InvalidInput):
        cand(requested)


def test_nul_and_windows_absolute_on_posix_are_invalid() -> None:
    with pytest.raises(InvalidInput):
        cand("a\x00b.png")
    with pytest.raises(InvalidInput, match="Windows path"):
        cand("C:\\Users\\me\\x.png")


def test_missing_extension_is_added_but_a_different_one_kept() -> None:
    assert cand("out") == "/data/out/out.png"
    assert cand("out.") == "/data/out/out.png"
    assert cand(".hidden") == "/data/out/.hidden.png"
    assert cand("out.jpg") == "/data/out/out.jpg"
    assert cand("out", extension="") == "/data/out/out"


def test_relative_root_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        cand("out.png", SavePolicy("relative/out"))


def test_windows_root_uses_windows_rules() -> None:
    policy = SavePolicy("C:\\Users\\me\\out")
    assert cand("clip\\a.mp4", policy) == "C:\\Users\\me\\out\\clip\\a.mp4"
    assert cand("c:/users/ME/out/b.png", policy) == "c:\\users\\ME\\out\\b.png"
    for escape in ("..\\x.png", "D:\\x.png", "\\x.png", "C:\\Users\\me\\out-evil\\x.png"):
        with pytest.raises(UnsafePath):
            cand(escape, policy)


@pytest.mark.parametrize(
    ("path", "real", "expected"),
    [
        ("out.png", "jpg", "out.jpg"),
        ("out", "png", "out.png"),
        (".hidden.wav", "mp3", ".hidden.mp3"),
        (".hidden", "png", ".hidden.png"),
        ("photo.jpeg", "jpg", "photo.jpeg"),
        ("photo.JPG", "jpeg", "photo.JPG"),
        ("dir/river.mov", "mp4", "dir/river.mp4"),
        ("dir.v2/river", "mp4", "dir.v2/river.mp4"),
        ("win\\dir.x\\a.wav", ".MP3", "win\\dir.x\\a.mp3"),
        ("shot.v2", "png", "shot.v2.png"),
        ("clip.m4v", "mp4", "clip.m4v"),
        ("out.png", "", "out.png"),
    ],
)
def test_correct_extension(path: str, real: str, expected: str) -> None:
    assert correct_extension(path, real) == expected


def test_default_root_linux_honours_absolute_xdg_data_home() -> None:
    home = "/home/ann"
    expected_default = "/home/ann/.local/share/openrouter-multimodal-mcp/outputs"
    assert default_output_root("linux", home, {}) == expected_default
    assert default_output_root("linux", home, {"XDG_DATA_HOME": "relative"}) == expected_default
    assert default_output_root("linux", home, {"XDG_DATA_HOME": ""}) == expected_default
    assert default_output_root("linux", home, {"XDG_DATA_HOME": "/xdg"}) == "/xdg/openrouter-multimodal-mcp/outputs"


def test_default_root_macos_and_windows() -> None:
    assert (
        default_output_root("darwin", "/Users/ann", {"XDG_DATA_HOME": "/xdg"})
        == "/Users/ann/Library/Application Support/openrouter-multimodal-mcp/outputs"
    )
    local = {"LOCALAPPDATA": "C:\\Users\\ann\\AppData\\Local"}
    expected = "C:\\Users\\ann\\AppData\\Local\\openrouter-multimodal-mcp\\outputs"
    assert default_output_root("win32", "C:\\Users\\ann", local) == expected
    assert default_output_root("win32", "C:\\Users\\ann", {}) == expected
