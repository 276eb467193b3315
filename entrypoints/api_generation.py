"""Python API methods that make things: images, speech and music, and document rankings."""

from __future__ import annotations

from collections.abc import Sequence

from ..application.image_generation import GenerateImageCommand, ImageGenerationResult
from ..application.rerank import RerankCommand
from ..application.speech_generation import GenerateAudioCommand, SpeechResult
from ..domain.caller import Caller
from ..domain.generation import RerankResult
from .api_base import ApiBase


class GenerationMethods(ApiBase):
    async def generate_image(
        self, prompt: str, *, model: str | None = None, aspect_ratio: str | None = None,
        image_size: str | None = None, reference_images: Sequence[str] = (), max_tokens: int | None = None,
        save_path: str | None = None, overwrite: bool = False, return_full: bool = False,
        caller: Caller | None = None,
    ) -> ImageGenerationResult:
        """Images saved in the caller's output directory: ``.images[n].name`` (a store name), ``.cost``."""
        command = GenerateImageCommand(prompt=prompt, model=model, aspect_ratio=aspect_ratio, image_size=image_size,
                                       reference_images=tuple(reference_images), max_tokens=max_tokens,
                                       save_path=save_path, overwrite=overwrite, return_full=return_full)
        result: ImageGenerationResult = await self._call("generate_image", command, caller)
        return result

    async def generate_audio(self, prompt: str, *, model: str | None = None, voice: str = "alloy",
                             format: str = "wav", save_path: str | None = None, overwrite: bool = False,
                             caller: Caller | None = None) -> SpeechResult:
        command = GenerateAudioCommand(prompt=prompt, model=model, voice=voice, format=format, save_path=save_path,
                                       overwrite=overwrite)
        result: SpeechResult = await self._call("generate_audio", command, caller)
        return result

    async def rerank_documents(self, query: str, documents: Sequence[str], *, model: str | None = None,
                               top_n: int | None = None, return_documents: bool = False,
                               caller: Caller | None = None) -> RerankResult:
        command = RerankCommand(query=query, documents=tuple(documents), model=model, top_n=top_n,
                                return_documents=return_documents)
        result: RerankResult = await self._call("rerank_documents", command, caller)
        return result
