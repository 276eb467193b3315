"""RIFF/WAVE parsing and splitting at frame boundaries (for audio longer than one upstream request takes)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAX_CHUNKS = 64
"""Chunks walked before the data chunk; real files carry a handful (fmt, LIST, fact, data)."""


@dataclass(frozen=True, slots=True)
class WavLayout:
    """Where the samples are: ``fmt`` is the raw fmt chunk payload (kept byte for byte in every piece)."""

    fmt: bytes
    channels: int
    sample_rate: int
    byte_rate: int
    block_align: int
    data_offset: int
    data_size: int

    @property
    def duration_s(self) -> float:
        return self.data_size / self.byte_rate


def parse_wav(data: bytes) -> WavLayout | None:
    """The layout of a RIFF/WAVE file, or None when ``data`` is not one with a usable fmt and data chunk."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, fmt = 12, b""
    for _ in range(MAX_CHUNKS):
        if pos + 8 > len(data):
            return None
        chunk, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        if chunk == b"fmt ":
            fmt = data[pos + 8 : pos + 8 + size]
        elif chunk == b"data":
            if len(fmt) < 16:
                return None
            channels, rate, byte_rate, align = struct.unpack("<HIIH", fmt[2:14])
            if not (channels and rate and byte_rate and align):
                return None
            size = min(size, len(data) - pos - 8)
            return WavLayout(fmt, channels, rate, byte_rate, align, pos + 8, size - size % align)
        pos += 8 + size + (size & 1)
    return None


def wav_from_layout(layout: WavLayout, samples: bytes) -> bytes:
    """A minimal WAV (RIFF, the original fmt chunk, data) holding ``samples``."""
    fmt = layout.fmt + (b"\0" if len(layout.fmt) & 1 else b"")
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(layout.fmt)) + fmt + b"data" + struct.pack("<I", len(samples))
    return b"RIFF" + struct.pack("<I", len(body) + len(samples)) + body + samples


def split_wav(data: bytes, layout: WavLayout, *, max_seconds: float, max_bytes: int) -> list[tuple[float, bytes]]:
    """``(start_seconds, wav_bytes)`` pieces of at most ``max_seconds`` and ``max_bytes`` each, cut on whole frames.

    One piece (the file as given) when it already fits.
    """
    header = 128 + len(layout.fmt)
    frames_by_bytes = max(1, (max_bytes - header) // layout.block_align)
    frames_by_time = max(1, int(max_seconds * layout.byte_rate) // layout.block_align)
    step = min(frames_by_bytes, frames_by_time) * layout.block_align
    if layout.data_size <= step and len(data) <= max_bytes:
        return [(0.0, data)]
    pieces = []
    for start in range(0, layout.data_size, step):
        samples = data[layout.data_offset + start : layout.data_offset + min(start + step, layout.data_size)]
        pieces.append((start / layout.byte_rate, wav_from_layout(layout, samples)))
    return pieces
