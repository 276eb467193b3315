"""Python API methods that make things: images, speech and music, transcripts, embeddings, document rankings."""

from __future__ import annotations

from collections.abc import Sequence

from ..application.embedding import EmbeddingsOutput, EmbedTextsCommand
from ..application.image_generation import GenerateImageCommand, ImageGenerationResult
from ..application.rerank import RerankCommand
from ..application.speech_generation import GenerateAudioCommand, SpeechResult
from ..application.transcription import TranscribeAudioCommand, TranscriptionResult
from ..domain.caller import Caller
from ..domain.generation import RerankResult
from .api_base import ApiBase


class GenerationMethods(ApiBase):
    async def generate_image(
        self, prompt: str, *, model: str | None = None, aspect_ratio: str | None = None,
        image_size: str | None = None, reference_images: Sequence[str] = (), max_tokens: int | None = None,
        save_path: str | None = None, overwrite: bool = False, return_full: bool = False,
        resolution: str | None = None, n: int = 1, seed: int | None = None, output_format: str | None = None,
        quality: str | None = None, caller: Caller | None = None,
    ) -> ImageGenerationResult:
        """Images saved in the caller's output directory: ``.images[n].name`` (a store name), ``.cost``;
        ``.images[n].aspect_ratio`` is measured from the delivered pixels, ``.route`` says which endpoint served."""
        command = GenerateImageCommand(prompt=prompt, model=model, aspect_ratio=aspect_ratio, image_size=image_size,
                                       reference_images=tuple(reference_images), max_tokens=max_tokens,
                                       save_path=save_path, overwrite=overwrite, return_full=return_full,
                                       resolution=resolution, n=n, seed=seed, output_format=output_format,
                                       quality=quality)
        result: ImageGenerationResult = await self._call("generate_image", command, caller)
        return result

    async def generate_audio(self, prompt: str, *, model: str | None = None, voice: str | None = None,
                             format: str = "wav", speed: float | None = None, instructions: str | None = None,
                             save_path: str | None = None, overwrite: bool = False,
                             caller: Caller | None = None) -> SpeechResult:
        """Speech saved in the caller's output directory; text-to-speech models take ``speed`` and
        ``instructions`` (``.route`` is ``speech``), chat audio models do not (``.route`` is ``chat``)."""
        command = GenerateAudioCommand(prompt=prompt, model=model, voice=voice, format=format, speed=speed,
                                       instructions=instructions, save_path=save_path, overwrite=overwrite)
        result: SpeechResult = await self._call("generate_audio", command, caller)
        return result

    async def rerank_documents(self, query: str, documents: Sequence[str], *, model: str | None = None,
                               top_n: int | None = None, return_documents: bool = False,
                               caller: Caller | None = None) -> RerankResult:
        command = RerankCommand(query=query, documents=tuple(documents), model=model, top_n=top_n,
                                return_documents=return_documents)
        result: RerankResult = await self._call("rerank_documents", command, caller)
        return result

    async def transcribe_audio(self, audio: str, *, model: str | None = None, language: str | None = None,
                               format: str = "text", save_path: str | None = None, overwrite: bool = False,
                               caller: Caller | None = None) -> TranscriptionResult:
        """``.rendered`` is the transcript in ``format`` (text, json, srt, vtt, verbose_json); ``.transcript`` has
        the text and timed segments; srt and vtt are also saved (``.name``)."""
        command = TranscribeAudioCommand(audio=audio, model=model, language=language, format=format,
                                         save_path=save_path, overwrite=overwrite)
        result: TranscriptionResult = await self._call("transcribe_audio", command, caller)
        return result

    async def embed_texts(self, texts: Sequence[str], *, model: str | None = None, dimensions: int | None = None,
                          save_path: str | None = None, overwrite: bool = False,
                          caller: Caller | None = None) -> EmbeddingsOutput:
        """``.vectors`` is a list of float lists, one per text in order (always, also when a file was saved)."""
        command = EmbedTextsCommand(texts=tuple(texts), model=model, dimensions=dimensions, save_path=save_path,
                                    overwrite=overwrite)
        result: EmbeddingsOutput = await self._call("embed_texts", command, caller)
        return result
