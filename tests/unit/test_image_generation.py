"""GenerateImage against fakes: checks before paying, saving every image, previews, inline caps, audit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.application.image_generation import (
    GenerateImage,
    GenerateImageCommand,
    ImageDefaults,
    ImageGenerationResult,
)
from openrouter_multimodal.application.image_routing import ImageRouter
from openrouter_multimodal.application.paid_generation import numbered
from openrouter_multimodal.domain.errors import ConfigurationError, ErrorCode, InvalidInput, UnsafePath, UpstreamError
from openrouter_multimodal.domain.generation import GeneratedImage, ImageResult
from openrouter_multimodal.domain.model_card import ParamSpec
from openrouter_multimodal.domain.usage import Usage
from tests.fakes import FakeCredentials, card
from tests.generation_fakes import (
    JPEG_BYTES,
    FakeImageGenerator,
    FakeMediaSource,
    FakeOutputStore,
    FakePreviewer,
    png_header,
)
from tests.media_endpoint_fakes import FakeCostLookup, media_models
from tests.pipeline_fakes import Dispatch, SameSpace

pytestmark = pytest.mark.anyio

IMAGE_MODEL = card("google/gemini-2.5-flash-image", inputs=("text", "image"), outputs=("image", "text"))
TEXT_MODEL = card("openai/gpt-4o-mini")
IMAGES_ONLY = replace(card("bytedance-seed/seedream-4.5", outputs=("image",)), parameter_specs=(
    ("n", ParamSpec("range", minimum=1, maximum=4)), ("seed", ParamSpec("range", minimum=0)),
    ("aspect_ratio", ParamSpec()), ("output_format", ParamSpec("enum", values=("png", "jpeg")))))


class Rig:
    def __init__(self, result: ImageResult | None = None, *, error: Exception | None = None,
                 configured: bool = True, inline_max: int = 4096, refs: dict[str, bytes] | None = None,
                 router: ImageRouter | None = None, costs: FakeCostLookup | None = None) -> None:
        self.events: list[str] = []
        self.generator = FakeImageGenerator(result, error=error, events=self.events)
        self.store = FakeOutputStore(self.events)
        self.previewer = FakePreviewer()
        self.media = FakeMediaSource(refs)
        self.credentials = FakeCredentials(configured)
        models = media_models([IMAGE_MODEL, TEXT_MODEL], images=[IMAGES_ONLY])
        self.images_endpoint = FakeImageGenerator(result, error=error, events=self.events)
        self.use_case = GenerateImage(
            generator=self.generator, images_endpoint=self.images_endpoint,
            router=ImageRouter(models=models, example="google/gemini-2.5-flash-image") if router is None else router,
            outputs=SameSpace(self.store), loader=self.media, preparer=self.previewer,
            previewer=self.previewer, costs=FakeCostLookup() if costs is None else costs, credentials=self.credentials,
            defaults=ImageDefaults(preview_max_dimension=512, inline_max_bytes=inline_max))
        self.dispatch = Dispatch({"generate_image": self.use_case})
        self.audit = self.dispatch.audit

    async def run(self, **kwargs: Any) -> ImageGenerationResult:
        result: ImageGenerationResult = await self.dispatch(
            "generate_image", GenerateImageCommand(**{"prompt": "a cat", **kwargs}))
        return result


def images(*datas: bytes, cost: str | None = "0.04") -> ImageResult:
    usage = Usage(cost=Decimal(cost)) if cost is not None else None
    return ImageResult(images=tuple(GeneratedImage(d, "image/png") for d in datas), text="ok",
                       model="google/gemini-2.5-flash-image", usage=usage)


async def test_the_save_target_is_reserved_before_the_model_is_paid() -> None:
    rig = Rig()
    await rig.run(save_path="cat.png")
    assert rig.events == ["reserve", "generate", "write"]
    assert rig.store.files["cat.png"] == png_header(64, 48)


async def test_an_unsafe_save_path_never_reaches_the_model_and_is_audited_without_cost() -> None:
    rig = Rig()
    with pytest.raises(UnsafePath):
        await rig.run(save_path="../escape.png")
    assert rig.generator.requests == []
    [event] = rig.audit.events
    assert (event.tool, event.outcome, event.cost_usd) == ("generate_image", "UNSAFE_PATH", None)


async def test_an_existing_file_is_refused_before_paying_unless_overwrite() -> None:
    rig = Rig()
    rig.store.files["cat.png"] = b"old"
    with pytest.raises(InvalidInput, match="overwrite"):
        await rig.run(save_path="cat.png")
    assert rig.generator.requests == [] and rig.store.files["cat.png"] == b"old"
    await rig.run(save_path="cat.png", overwrite=True)
    assert rig.store.files["cat.png"] == png_header(64, 48)


async def test_missing_key_is_configuration_before_anything_else() -> None:
    rig = Rig(configured=False)
    with pytest.raises(ConfigurationError):
        await rig.run(save_path="../escape.png")
    assert rig.events == []


async def test_a_bad_aspect_ratio_is_invalid_input_naming_the_field() -> None:
    rig = Rig()
    with pytest.raises(InvalidInput, match="aspect_ratio"):
        await rig.run(aspect_ratio="7:3")
    assert rig.events == []


async def test_every_image_is_saved_with_its_real_extension() -> None:
    rig = Rig(images(png_header(64, 48), JPEG_BYTES))
    result = await rig.run(save_path="pair.png")
    assert [i.name for i in result.images] == ["pair.png", "pair-2.jpg"]
    assert rig.store.files["pair-2.jpg"] == JPEG_BYTES


async def test_a_jpeg_under_a_png_name_is_saved_as_jpg_and_never_replaces_a_taken_name() -> None:
    rig = Rig(images(JPEG_BYTES))
    rig.store.files["shot.jpg"] = b"someone else's"
    result = await rig.run(save_path="shot.png", overwrite=True)
    assert result.images[0].name == "shot-2.jpg"
    assert rig.store.files["shot.jpg"] == b"someone else's"


async def test_previews_are_capped_and_full_bytes_only_on_request_under_the_cap() -> None:
    big = png_header(3000, 2000) + b"\0" * 5000
    rig = Rig(images(big), inline_max=4096)
    result = await rig.run(return_full=True)
    saved = result.images[0]
    assert (saved.preview.width, saved.preview.height) == (512, 341) and rig.previewer.previews == [512]
    assert saved.full is None and "${image_inline_max_bytes}" in result.notes[0]
    small = await Rig(images(png_header(64, 48))).run(return_full=True)
    assert small.images[0].full == png_header(64, 48)
    assert (await Rig().run()).images[0].full is None


async def test_an_undecodable_image_is_still_saved_without_a_preview() -> None:
    rig = Rig(images(b"not really an image"))
    result = await rig.run()
    saved = result.images[0]
    assert saved.preview is None and saved.width is None and saved.name.endswith(".png")
    assert rig.store.files[saved.name] == b"not really an image"


async def test_a_text_only_reply_is_refused_quoting_the_text_and_audited_with_its_cost() -> None:
    rig = Rig(ImageResult(images=(), text="I won't draw that. " + "x" * 500, model="m/m",
                          usage=Usage(cost=Decimal("0.001"))))
    with pytest.raises(UpstreamError) as caught:
        await rig.run()
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED and "I won't draw that." in caught.value.message
    assert "x" * 200 not in caught.value.message
    [event] = rig.audit.events
    assert (event.outcome, event.cost_usd) == ("UPSTREAM_REFUSED", Decimal("0.001"))
    assert rig.store.files == {}


async def test_success_is_audited_once_with_cost_and_a_short_prompt_preview() -> None:
    rig = Rig(images(png_header(64, 48)))
    await rig.run(prompt="p" * 300)
    [event] = rig.audit.events
    assert (event.tool, event.model, event.outcome, event.cost_usd) == (
        "generate_image", "google/gemini-2.5-flash-image", "ok", Decimal("0.04"))
    assert len(event.prompt_preview) <= 80


async def test_an_upstream_failure_is_audited_without_cost() -> None:
    rig = Rig(error=UpstreamError("boom", code=ErrorCode.UPSTREAM_TIMEOUT))
    with pytest.raises(UpstreamError):
        await rig.run()
    [event] = rig.audit.events
    assert (event.outcome, event.cost_usd) == ("UPSTREAM_TIMEOUT", None)


async def test_reference_images_become_data_urls_and_unsafe_ones_stop_before_paying() -> None:
    rig = Rig(refs={"face.png": png_header(40, 30)})
    await rig.run(reference_images=("face.png",))
    [url] = rig.generator.requests[0].reference_images
    assert url.startswith("data:image/png;base64,")
    with pytest.raises(UnsafePath, match=r"reference_images\[0\]"):
        await rig.run(reference_images=("/outside/x.png",))
    assert len(rig.generator.requests) == 1


async def test_too_many_references_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at most 8"):
        await Rig().run(reference_images=tuple(f"r{i}.png" for i in range(9)))


async def test_a_model_the_catalogue_says_cannot_draw_is_refused_before_paying() -> None:
    rig = Rig()
    with pytest.raises(InvalidInput, match="does not output images"):
        await rig.run(model="openai/gpt-4o-mini")
    assert rig.generator.requests == []


def test_numbered_names_keep_the_folder_and_extension() -> None:
    assert numbered("/out/a/cat.png", 2) == "/out/a/cat-2.png"
    assert numbered("/out/cat", 3) == "/out/cat-3"


async def test_an_image_only_model_goes_to_the_images_endpoint_and_every_variant_is_saved() -> None:
    rig = Rig(images(png_header(64, 48), png_header(64, 48) + b"2", png_header(64, 48) + b"3"))
    result = await rig.run(model="bytedance-seed/seedream-4.5", n=3, seed=7)
    assert rig.generator.requests == [] and rig.images_endpoint.requests[0].n == 3
    assert rig.images_endpoint.requests[0].seed == 7 and result.route.value == "images"
    assert len(result.images) == 3 and len(rig.store.files) == 3
    assert [image.aspect_ratio for image in result.images] == ["4:3"] * 3


async def test_an_option_the_chat_model_does_not_take_is_refused_naming_a_model_that_does() -> None:
    rig = Rig()
    with pytest.raises(InvalidInput, match="seed: bytedance-seed/seedream-4.5"):
        await rig.run(seed=7)
    assert "generate" not in rig.events


async def test_an_option_value_outside_the_models_descriptor_is_refused() -> None:
    rig = Rig()
    with pytest.raises(InvalidInput, match=r"output_format=webp \(it takes png, jpeg\)"):
        await rig.run(model="bytedance-seed/seedream-4.5", output_format="webp")
    with pytest.raises(InvalidInput, match="max_tokens apply only to chat image models"):
        await rig.run(model="bytedance-seed/seedream-4.5", max_tokens=100)
    assert "generate" not in rig.events


async def test_a_chat_model_also_listed_on_images_is_sent_there_for_an_option_only_that_takes() -> None:
    listed = replace(IMAGE_MODEL, parameter_specs=(("seed", ParamSpec()),))
    rig = Rig(router=ImageRouter(models=media_models([IMAGE_MODEL], images=[listed]), example="x/y"))
    result = await rig.run(seed=1)
    assert result.route.value == "images" and len(rig.images_endpoint.requests) == 1


async def test_a_missing_cost_comes_from_the_generation_record_and_a_failed_lookup_loses_nothing() -> None:
    unpriced = replace(images(png_header(8, 8), cost=None), generation_id="gen-9")
    rig = Rig(unpriced, costs=FakeCostLookup({"gen-9": Decimal("0.05")}))
    assert (await rig.run()).cost == Decimal("0.05")
    result = await Rig(unpriced, costs=FakeCostLookup(error=UpstreamError("boom"))).run()
    assert result.cost is None and len(result.images) == 1


async def test_a_delivered_aspect_ratio_other_than_the_one_asked_for_is_noted() -> None:
    rig = Rig()
    result = await rig.run(aspect_ratio="16:9")
    assert any("asked for 16:9, delivered 64x48 (4:3)" in note for note in result.notes)
