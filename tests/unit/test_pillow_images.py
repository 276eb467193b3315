"""PillowImagePreparer: orientation, transparency, animation, shrinking, pass-through and bombs."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import warnings
import zlib

import pytest
from PIL import Image

from openrouter_multimodal.adapters import pillow_images
from openrouter_multimodal.adapters.pillow_images import PillowImagePreparer
from openrouter_multimodal.domain.errors import InvalidInput, ResourceTooLarge, UnsupportedFormat

pytestmark = pytest.mark.anyio

RED, BLUE, GREEN, WHITE = (255, 0, 0), (0, 0, 255), (0, 160, 0), (255, 255, 255)


def _encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b""))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


@pytest.fixture
def preparer() -> PillowImagePreparer:
    return PillowImagePreparer()


@pytest.fixture
def rotated_jpeg() -> bytes:
    """400x200 stored, left half red, right half blue, EXIF orientation 6 (shown rotated 90° clockwise)."""
    img = Image.new("RGB", (400, 200), RED)
    img.paste(BLUE, (200, 0, 400, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    return _encode(img, "JPEG", exif=exif, quality=95)


@pytest.fixture(scope="module")
def big_jpeg() -> bytes:
    img = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    return _encode(img, "JPEG", quality=70)


@pytest.fixture
def small_png() -> bytes:
    return _encode(Image.new("RGB", (100, 50), GREEN), "PNG")


def _transparent(mode: str) -> bytes:
    """1000x500, left half fully transparent, right half opaque green."""
    rgba = Image.new("RGBA", (1000, 500), (0, 0, 0, 0))
    rgba.paste((*GREEN, 255), (500, 0, 1000, 500))
    if mode == "LA":
        return _encode(rgba.convert("LA"), "PNG")
    if mode == "P":
        pal = Image.new("P", (1000, 500), 0)
        pal.putpalette([0, 0, 0, *GREEN] + [0] * 762)
        pal.paste(1, (500, 0, 1000, 500))
        return _encode(pal, "PNG", transparency=0)
    return _encode(rgba, "PNG")


async def test_exif_orientation_is_applied(preparer: PillowImagePreparer, rotated_jpeg: bytes) -> None:
    out = await preparer.prepare(rotated_jpeg, max_dimension=800, jpeg_quality=90)
    img = _decode(out.data)
    assert (out.mime, out.passed_through) == ("image/jpeg", False)
    assert img.size == (out.width, out.height) == (200, 400)
    assert (out.original_width, out.original_height) == (200, 400)
    assert _close(img.getpixel((100, 50)), RED)
    assert _close(img.getpixel((100, 350)), BLUE)
    assert img.getexif().get(0x0112, 1) == 1


async def test_exif_orientation_and_shrink(preparer: PillowImagePreparer, rotated_jpeg: bytes) -> None:
    out = await preparer.prepare(rotated_jpeg, max_dimension=100, jpeg_quality=90)
    assert _decode(out.data).size == (out.width, out.height) == (50, 100)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
async def test_transparent_pixels_become_white(preparer: PillowImagePreparer, mode: str) -> None:
    out = await preparer.prepare(_transparent(mode), max_dimension=800, jpeg_quality=90)
    img = _decode(out.data).convert("RGB")
    assert (out.mime, img.size) == ("image/jpeg", (800, 400))
    assert _close(img.getpixel((100, 200)), WHITE, tolerance=3)
    assert img.getpixel((700, 200)) != WHITE


async def test_animated_gif_keeps_the_first_frame(preparer: PillowImagePreparer) -> None:
    frames = [Image.new("RGB", (64, 64), RED), Image.new("RGB", (64, 64), BLUE)]
    gif = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(gif)).n_frames == 2
    out = await preparer.prepare(gif, max_dimension=800, jpeg_quality=90)
    img = _decode(out.data)
    assert (out.mime, out.passed_through, img.size) == ("image/jpeg", False, (64, 64))
    assert _close(img.getpixel((32, 32)), RED)


async def test_twelve_megapixels_shrink_to_800(preparer: PillowImagePreparer, big_jpeg: bytes) -> None:
    out = await preparer.prepare(big_jpeg, max_dimension=800, jpeg_quality=80)
    assert _decode(out.data).size == (out.width, out.height) == (800, 600)
    assert (out.original_width, out.original_height) == (4000, 3000)
    assert len(out.data) < len(big_jpeg) // 10


def test_big_jpeg_is_decoded_in_draft_mode(big_jpeg: bytes) -> None:
    with Image.open(io.BytesIO(big_jpeg)) as img:
        decoded = pillow_images._load_for_resize(img, 800)
    assert decoded == (1000, 750)


async def test_small_accepted_image_passes_through(preparer: PillowImagePreparer, small_png: bytes) -> None:
    out = await preparer.prepare(small_png, max_dimension=800, jpeg_quality=80)
    assert out.data is small_png or out.data == small_png
    assert (out.mime, out.width, out.height, out.passed_through) == ("image/png", 100, 50, True)


async def test_small_bmp_is_reencoded(preparer: PillowImagePreparer) -> None:
    bmp = _encode(Image.new("RGB", (300, 200), BLUE), "BMP")
    out = await preparer.prepare(bmp, max_dimension=None, jpeg_quality=80)
    assert (out.mime, out.width, out.height, out.passed_through) == ("image/jpeg", 300, 200, False)


async def test_keep_original_sends_the_input(preparer: PillowImagePreparer, big_jpeg: bytes) -> None:
    out = await preparer.prepare(big_jpeg, max_dimension=800, jpeg_quality=80, keep_original=True)
    assert out.data == big_jpeg
    assert (out.mime, out.width, out.height, out.passed_through) == ("image/jpeg", 4000, 3000, True)


async def test_keep_original_still_rejects_undecodable(preparer: PillowImagePreparer, big_jpeg: bytes) -> None:
    truncated = big_jpeg[: len(big_jpeg) // 2]
    with pytest.raises(UnsupportedFormat):
        await preparer.prepare(truncated, max_dimension=800, jpeg_quality=80, keep_original=True)


async def test_keep_original_reencodes_formats_models_reject(preparer: PillowImagePreparer) -> None:
    bmp = _encode(Image.new("RGB", (30, 20), BLUE), "BMP")
    out = await preparer.prepare(bmp, max_dimension=800, jpeg_quality=80, keep_original=True)
    assert (out.mime, out.passed_through) == ("image/jpeg", False)


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n garbage"])
async def test_garbage_is_unsupported(preparer: PillowImagePreparer, data: bytes) -> None:
    with pytest.raises(UnsupportedFormat, match="accepted formats png, jpeg, gif, webp, bmp"):
        await preparer.prepare(data, max_dimension=800, jpeg_quality=80)


async def test_undecodable_heic_says_so(preparer: PillowImagePreparer) -> None:
    if "HEIF" in Image.OPEN:
        pytest.skip("a HEIF plugin is registered")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(UnsupportedFormat, match="HEIC"):
        await preparer.prepare(heic, max_dimension=800, jpeg_quality=80)


@pytest.mark.parametrize("size", [(11_000, 10_000), (20_000, 20_000)])
async def test_decompression_bomb_is_refused(preparer: PillowImagePreparer, size: tuple[int, int]) -> None:
    with pytest.raises(ResourceTooLarge):
        await preparer.prepare(_png_header_only(*size), max_dimension=800, jpeg_quality=80)


async def test_bomb_refused_even_when_pillow_warnings_are_ignored(preparer: PillowImagePreparer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(ResourceTooLarge, match="11000x10000"):
            await preparer.inspect(_png_header_only(11_000, 10_000))


async def test_formats_decoded_whole_have_a_lower_pixel_limit(preparer: PillowImagePreparer) -> None:
    assert await preparer.inspect(_png_header_only(6_000, 6_500)) == ("image/png", 6_000, 6_500)
    with pytest.raises(ResourceTooLarge, match="40 MP"):
        await preparer.inspect(_png_header_only(9_000, 10_000))


@pytest.mark.parametrize(("quality", "dimension"), [(0, 800), (101, 800), (80, 0)])
async def test_out_of_range_settings_are_invalid(
    preparer: PillowImagePreparer, small_png: bytes, quality: int, dimension: int
) -> None:
    with pytest.raises(InvalidInput):
        await preparer.prepare(small_png, max_dimension=dimension, jpeg_quality=quality)


async def test_preview_caps_the_long_edge_at_1024(preparer: PillowImagePreparer) -> None:
    png = _encode(Image.new("RGB", (1536, 2048), GREEN), "PNG")
    out = await preparer.preview(png, max_dimension=1024)
    assert (out.mime, out.passed_through) == ("image/jpeg", False)
    assert _decode(out.data).size == (out.width, out.height) == (768, 1024)
    assert (out.original_width, out.original_height) == (1536, 2048)


async def test_preview_keeps_transparency_as_webp(preparer: PillowImagePreparer) -> None:
    out = await preparer.preview(_transparent("RGBA"), max_dimension=1024)
    img = _decode(out.data)
    assert (out.mime, img.format, img.size) == ("image/webp", "WEBP", (1000, 500))
    assert img.convert("RGBA").getpixel((100, 200))[3] == 0


async def test_inspect_reports_upright_size(preparer: PillowImagePreparer, rotated_jpeg: bytes,
                                           small_png: bytes) -> None:
    assert await preparer.inspect(rotated_jpeg) == ("image/jpeg", 200, 400)
    assert await preparer.inspect(small_png) == ("image/png", 100, 50)
    with pytest.raises(UnsupportedFormat):
        await preparer.inspect(b"nope")


def test_importing_the_adapter_does_not_import_pillow() -> None:
    code = (
        "import sys, openrouter_multimodal.adapters.pillow_images\n"
        "assert 'PIL' not in sys.modules, sorted(m for m in sys.modules if m.startswith('PIL'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _small(mode: str) -> bytes:
    """80x40 images whose left half is transparent by each of the ways PNG, GIF and WebP can say so."""
    rgba = Image.new("RGBA", (80, 40), (0, 0, 0, 0))
    rgba.paste((*GREEN, 255), (40, 0, 80, 40))
    pal = Image.new("P", (80, 40), 0)
    pal.putpalette([0, 0, 0, *GREEN] + [0] * 762)
    pal.paste(1, (40, 0, 80, 40))
    keyed = Image.new("RGB", (80, 40), (1, 2, 3))
    keyed.paste(GREEN, (40, 0, 80, 40))
    return {
        "RGBA png": lambda: _encode(rgba, "PNG"),
        "LA png": lambda: _encode(rgba.convert("LA"), "PNG"),
        "P png tRNS index": lambda: _encode(pal, "PNG", transparency=0),
        "P png tRNS alpha table": lambda: _encode(pal, "PNG", transparency=bytes([128, 255])),
        "RGB png tRNS colour key": lambda: _encode(keyed, "PNG", transparency=(1, 2, 3)),
        "GIF transparency index": lambda: _encode(pal, "GIF", transparency=0),
        "RGBA webp": lambda: _encode(rgba, "WEBP", lossless=True),
    }[mode]()


@pytest.mark.parametrize("mode", ["RGBA png", "LA png", "P png tRNS index", "P png tRNS alpha table",
                                  "RGB png tRNS colour key", "GIF transparency index", "RGBA webp"])
async def test_small_transparent_images_are_flattened_not_passed_through(preparer: PillowImagePreparer,
                                                                   mode: str) -> None:
    out = await preparer.prepare(_small(mode), max_dimension=800, jpeg_quality=90)
    img = _decode(out.data).convert("RGB")
    assert (out.mime, out.passed_through, img.size) == ("image/jpeg", False, (80, 40))
    half_transparent_black = (127, 127, 127)
    assert _close(img.getpixel((10, 20)), half_transparent_black if "alpha table" in mode else WHITE, tolerance=3)
    assert _close(img.getpixel((70, 20)), (94, 94, 94) if mode == "LA png" else GREEN, tolerance=20)


@pytest.mark.parametrize("make", [
    lambda: _encode(Image.new("RGBA", (80, 40), (*GREEN, 255)), "PNG"),  # an alpha band, opaque everywhere
    lambda: _encode(Image.new("P", (80, 40), 1), "PNG", transparency=0),  # the transparent entry is unused
    lambda: _encode(Image.new("RGB", (80, 40), GREEN), "PNG", transparency=(1, 2, 3)),  # no pixel has the key
], ids=["opaque alpha", "unused transparent entry", "unmatched colour key"])
async def test_small_images_without_visible_transparency_still_pass_through(preparer: PillowImagePreparer,
                                                                     make: object) -> None:
    data = make()  # type: ignore[operator]
    out = await preparer.prepare(data, max_dimension=800, jpeg_quality=90)
    assert (out.data, out.mime, out.passed_through) == (data, "image/png", True)


async def test_send_original_keeps_transparency(preparer: PillowImagePreparer) -> None:
    data = _small("RGBA png")
    out = await preparer.prepare(data, max_dimension=800, jpeg_quality=90, keep_original=True)
    assert (out.data, out.mime, out.passed_through) == (data, "image/png", True)
