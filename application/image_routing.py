"""Choosing ``/images`` or the chat route for an image model, and refusing options the model does not take."""

from __future__ import annotations

from ..domain.errors import InvalidInput
from ..domain.generation import ImageRequest
from ..domain.image_options import ImageRoute, supporters, unsupported_options
from ..domain.model_card import ModelCard
from .media_models import Listing, MediaModels
from .model_choice import card_in


def images_options(request: ImageRequest) -> dict[str, object]:
    """Every option the request would send to ``/images``, by its request-field name."""
    options: dict[str, object] = {"aspect_ratio": request.aspect_ratio, "resolution": request.resolution,
                                  "seed": request.seed, "output_format": request.output_format,
                                  "quality": request.quality}
    if request.n > 1:
        options["n"] = request.n
    if request.reference_images:
        options["input_references"] = len(request.reference_images)
    return {name: value for name, value in options.items() if value is not None}


def chat_unsupported(request: ImageRequest) -> dict[str, object]:
    """Options only ``/images`` takes: a chat image model makes one image and has no seed, format or quality."""
    options = images_options(request)
    return {name: options[name] for name in ("n", "seed", "output_format", "quality") if name in options}


class ImageRouter:
    """Routes a model to ``/images`` (image-only models, or any listed there when the call needs an option
    only that endpoint takes) or to the chat route (chat image models, as before).

    Nothing is silently dropped: an option the chosen model does not take is INVALID_INPUT naming
    models that do (from ``/images/models``, whose per-model descriptors say which values each takes).
    A model no readable listing knows is MODEL_NOT_FOUND; when the listings cannot be read the
    upstream decides. ``chat_only`` names options the caller set that only the chat route takes.
    """

    def __init__(self, *, models: MediaModels, example: str) -> None:
        self._models = models
        self._example = example

    async def route(self, request: ImageRequest, chat_only: tuple[str, ...]) -> ImageRoute:
        model = request.model
        chat = await self._models.listing(Listing.CHAT)
        chat_card = card_in(chat, model)
        if chat_card is not None and not chat_card.produces("image"):
            raise InvalidInput(f"model '{model}' does not output images: use e.g. {self._example}, "
                               "or find one with search_models output=['image'].", suggestions=(self._example,))
        chat_capable = chat_card is not None and chat_card.produces("text")
        needs_images = chat_unsupported(request)
        if chat_capable and not needs_images:
            return ImageRoute.CHAT
        images = await self._models.listing(Listing.IMAGES)
        images_card = card_in(images, model)
        if chat_capable and images_card is None:
            raise self._refusal(str(model), list(needs_images), images, needs_images)
        if images_card is None and chat_card is None:
            await self._models.ensure_listed(model, Listing.CHAT, Listing.IMAGES)
            if not needs_images:
                return ImageRoute.CHAT
        if chat_only:
            raise InvalidInput(f"{', '.join(chat_only)} apply only to chat image models such as {self._example}; "
                               f"'{model}' uses the /images endpoint: leave them out.")
        if images_card is not None:
            self._check(images_card, request, images)
        return ImageRoute.IMAGES

    def _check(self, card: ModelCard, request: ImageRequest, images: dict[str, ModelCard] | None) -> None:
        options = images_options(request)
        problems = unsupported_options(card, options)
        if problems:
            names = [problem.split("=")[0].split(" ")[0] for problem in problems]
            raise self._refusal(card.id, problems, images, {name: options[name] for name in names})

    @staticmethod
    def _refusal(model: str, problems: list[str], images: dict[str, ModelCard] | None,
                 options: dict[str, object]) -> InvalidInput:
        others = [card for card in (images or {}).values() if card.id != model]
        hints = []
        for name, value in options.items():
            able = supporters(others, name, value)
            hints.append(f"{name}: {', '.join(able)}" if able else f"{name}: none listed")
        where = "; models that take it: " + "; ".join(hints) if images is not None else \
            " (the /images model list could not be read to name others: retry)"
        return InvalidInput(f"model '{model}' does not take {', '.join(problems)}{where}. Leave the option out "
                            "or choose one of those models.",
                            details={"unsupported": list(options)},
                            suggestions=tuple(dict.fromkeys(m for name, v in options.items()
                                                            for m in supporters(others, name, v))))
