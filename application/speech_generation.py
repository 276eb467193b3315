"""The generate_audio use case: speech or music from a prompt, saved as a playable file."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import InvalidInput
from ..domain.generation import AUDIO_FORMATS, AudioRequest
from ..domain.model_card import ModelCard
from ..domain.model_id import ModelId
from ..domain.paid_call import Billing, CallFacts, ReportedCost
from ..domain.save_policy import correct_extension
from ..domain.setting_refs import setting
from ..domain.tts import STYLE_PROVIDERS, SpeechRequest, style_options, tts_wire_format
from ..domain.usage import Usage
from ..domain.wav import parse_wav
from .call import ToolCall
from .generation_costs import with_cost
from .generation_ports import CostLookup, SpeechGenerator, SpeechSynthesizer
from .job_ports import OutputSpaces, OutputStore
from .media_models import Listing, MediaModels
from .paid_generation import charged, save_lock, save_output
from .ports import Credentials

_SAVE_EXTENSIONS = {"pcm16": "wav"}
"""Raw PCM16 arrives wrapped as WAV (the adapter adds the header), so it is reserved as ``.wav``."""


@dataclass(frozen=True, slots=True)
class SpeechDefaults:
    """``model`` is the chat-audio default; ``tts_model`` the default when only a speech model can serve the call
    (``speed`` or ``instructions`` given) and the model named in refusals."""

    model: str = "openai/gpt-audio"
    tts_model: str = "openai/gpt-4o-mini-tts-2025-12-15"
    inline_max_bytes: int = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class GenerateAudioCommand:
    prompt: str
    model: str | None = None
    voice: str | None = None
    format: str = "wav"
    save_path: str | None = None
    overwrite: bool = False
    speed: float | None = None
    instructions: str | None = None

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, prompt=self.prompt, lock_keys=save_lock(self.save_path))


@dataclass(frozen=True, slots=True)
class SpeechResult(ReportedCost):
    """The saved audio under the store ``name``; ``inline`` holds its bytes only when they are under the inline cap.

    ``route`` is ``speech`` (``/audio/speech``) or ``chat`` (a streamed chat completion with audio output)."""

    name: str
    size: int
    format: str
    mime: str
    transcript: str
    model: str
    provider: str | None = None
    usage: Usage | None = None
    duration_s: float | None = None
    inline: bytes | None = None
    notes: tuple[str, ...] = ()
    route: str = "chat"
    generation_id: str | None = None


def _duration(data: bytes) -> float | None:
    """Seconds of audio in a WAV (None for any other format)."""
    layout = parse_wav(data)
    return layout.duration_s if layout else None


class GenerateAudio:
    """Makes speech (or music) and saves it under the output directory, on the route the model needs.

    Text-to-speech models (catalogue output ``speech``) go to ``/audio/speech``; chat audio models to
    a streamed chat completion. Why this order: the call is billed, so the key (CONFIGURATION), the
    arguments (INVALID_INPUT: an unknown ``format`` is refused, never silently pcm16; a voice the
    catalogue does not list; ``speed``/``instructions`` for a model that does not take them; a
    format the route cannot deliver) and the save target (``OutputStore.reserve``: UNSAFE_PATH,
    INVALID_INPUT for an existing file without ``overwrite``, CONFIGURATION for an unwritable output
    directory) are checked before the upstream is asked. The file gets the extension of the format
    actually received. A failure to save after paying carries the call's ``billing``.
    """

    def __init__(self, *, generator: SpeechGenerator, synthesizer: SpeechSynthesizer, models: MediaModels,
                 outputs: OutputSpaces, costs: CostLookup, credentials: Credentials,
                 defaults: SpeechDefaults) -> None:
        self._generator = generator
        self._synthesizer = synthesizer
        self._models = models
        self._outputs = outputs
        self._costs = costs
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[GenerateAudioCommand]) -> SpeechResult:
        self._credentials.ensure_configured()
        command = call.command
        store = self._outputs.for_caller(call.caller)
        wants_tts = command.speed is not None or command.instructions is not None
        model = ModelId.parse(command.model or (self._defaults.tts_model if wants_tts else self._defaults.model))
        fmt = command.format.strip().lower()
        speech_card = await self._speech_card(model)
        notes: list[str] = []
        if speech_card is None:
            if wants_tts:
                raise InvalidInput(f"speed and instructions are taken only by text-to-speech models such as "
                                   f"{self._defaults.tts_model}; '{model}' is a chat audio model: leave them out.",
                                   suggestions=(self._defaults.tts_model,))
            audio_request = AudioRequest(model=model, prompt=command.prompt, voice=(command.voice or "alloy").strip(),
                                         format=fmt, attribution=call.attribution)
            target = await self._reserve(store, command, fmt)
            result = await self._generator.generate(audio_request)
            route = "chat"
        else:
            request = await self._speech_request(model, speech_card, command, fmt, call, notes)
            target = await self._reserve(store, command, fmt)
            result = await self._synthesizer.synthesize(request)
            route = "speech"
        usage = await with_cost(result.usage, result.generation_id, self._costs)
        with charged(Billing(model=result.model, cost_usd=usage.cost if usage else None,
                             generation_id=result.generation_id)):
            wanted = correct_extension(target, result.extension)
            name = await save_output(store, target, wanted, result.data, overwrite=command.overwrite,
                                     stem="speech")
        if result.format != fmt and not (fmt == "pcm16" and result.format == "wav"):
            notes.append(f"asked for {fmt}, the model sent {result.format}; saved as {result.format}.")
        inline = result.data if len(result.data) <= self._defaults.inline_max_bytes else None
        if inline is None:
            notes.append(f"the audio ({len(result.data)} bytes) is over {setting('audio_inline_max_bytes')} "
                         f"({self._defaults.inline_max_bytes}), so it is not inline: open the saved file.")
        return SpeechResult(name=name, size=len(result.data), format=result.format, mime=result.mime,
                            transcript=result.transcript, model=result.model, provider=result.provider,
                            usage=usage, duration_s=_duration(result.data), inline=inline,
                            notes=tuple(notes), route=route, generation_id=result.generation_id)

    async def _reserve(self, store: OutputStore, command: GenerateAudioCommand, fmt: str) -> str:
        return await store.reserve(command.save_path, stem="speech", extension=_SAVE_EXTENSIONS.get(fmt, fmt),
                                   overwrite=command.overwrite)

    async def _speech_card(self, model: ModelId) -> ModelCard | None:
        """The model's card when it is a text-to-speech model (``speech`` output), else None (chat audio).

        A model neither listing knows is MODEL_NOT_FOUND when both could be read."""
        card = await self._models.card(model, Listing.CHAT)
        if card is not None:
            if not card.produces("audio") and not card.produces("speech"):
                raise InvalidInput(f"model '{model}' does not output audio: use e.g. {self._defaults.model} or "
                                   f"{self._defaults.tts_model}, or search_models output=['audio'].",
                                   suggestions=(self._defaults.model, self._defaults.tts_model))
            return card if card.produces("speech") and not card.produces("audio") else None
        speech = await self._models.card(model, Listing.SPEECH)
        if speech is None:
            await self._models.ensure_listed(model, Listing.CHAT, Listing.SPEECH)
        return speech

    async def _speech_request(self, model: ModelId, card: ModelCard, command: GenerateAudioCommand, fmt: str,
                              call: ToolCall[GenerateAudioCommand], notes: list[str]) -> SpeechRequest:
        if fmt not in AUDIO_FORMATS:
            raise InvalidInput(f"format '{fmt}' is not supported. Valid values: {', '.join(AUDIO_FORMATS)}.")
        wire = tts_wire_format(fmt)
        voice = command.voice.strip() if command.voice else None
        if voice is not None and card.voices and voice not in card.voices:
            raise InvalidInput(f"voice '{voice}' is not one of {model}'s voices: {', '.join(card.voices[:12])}.")
        if voice is None and card.voices:
            voice = card.voices[0]
            notes.append(f"no voice given: used {voice}, the first the catalogue lists for {model}.")
        options = style_options(model, command.instructions)
        if options is None:
            takers = sorted(STYLE_PROVIDERS)
            raise InvalidInput(f"'{model}' takes no style instructions; models by {', '.join(takers)} do (e.g. "
                               f"{self._defaults.tts_model}): leave instructions out or choose one of them.",
                               suggestions=(self._defaults.tts_model,))
        return SpeechRequest(model=model, text=command.prompt, voice=voice, response_format=wire,
                             speed=command.speed, provider_options=options, attribution=call.attribution)
