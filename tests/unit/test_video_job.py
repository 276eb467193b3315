"""Video job statuses: synonyms, legal transitions and progress that never goes backwards."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from openrouter_multimodal.domain.errors import InvalidInput
from openrouter_multimodal.domain.job import PROMPT_PREVIEW_CHARS, Job, JobStatus

S = JobStatus


def job(status: JobStatus = S.PENDING, progress: int = 0) -> Job:
    fresh = Job.submitted("vid-1", model="acme/veo", prompt="a cat", now=100.0, polling_url="https://x/v/1")
    return replace(fresh, status=status, progress=progress)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pending", S.PENDING), ("queued", S.PENDING), ("QUEUED", S.PENDING), (None, S.PENDING), ("", S.PENDING),
        ("processing", S.IN_PROGRESS), ("running", S.IN_PROGRESS), ("in_progress", S.IN_PROGRESS),
        ("in-progress", S.IN_PROGRESS), ("brand-new-word", S.IN_PROGRESS),
        ("completed", S.COMPLETED), ("succeeded", S.COMPLETED), (" Completed ", S.COMPLETED),
        ("failed", S.FAILED), ("error", S.FAILED), ("canceled", S.CANCELLED), ("cancelled", S.CANCELLED),
        ("expired", S.EXPIRED),
    ],
)  # fmt: skip
def test_parse_maps_synonyms(raw: str | None, expected: JobStatus) -> None:
    assert JobStatus.parse(raw) is expected


def test_terminal_states() -> None:
    assert {s for s in S if s.terminal} == {S.COMPLETED, S.FAILED, S.CANCELLED, S.EXPIRED}


TRANSITIONS = [
    (S.PENDING, S.PENDING, S.PENDING),
    (S.PENDING, S.IN_PROGRESS, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.IN_PROGRESS, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.PENDING, S.IN_PROGRESS),
    *[(start, end, end) for start in (S.PENDING, S.IN_PROGRESS) for end in S if end.terminal],
    *[(start, end, start) for start in S if start.terminal for end in S],
]


@pytest.mark.parametrize(("start", "reported", "expected"), TRANSITIONS)
def test_transition_table(start: JobStatus, reported: JobStatus, expected: JobStatus) -> None:
    before = job(start, 40)
    after = before.advance(reported, progress=None, now=200.0)
    assert after.status is expected
    if start.terminal:
        assert after is before


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ([25, 75, None, 90, "completed"], [25, 75, 75, 90, 100]),
        ([75, 50, "completed"], [75, 75, 100]),
        ([0, 50, "completed"], [0, 50, 100]),
        ([150, -5], [100, 100]),
    ],
)
def test_progress_never_goes_backwards(reports: list[int | str | None], expected: list[int]) -> None:
    current = job()
    seen = []
    for step, report in enumerate(reports):
        if report == "completed":
            current = current.advance("completed", progress=None, now=100.0 + step)
        else:
            assert not isinstance(report, str)
            current = current.advance(S.IN_PROGRESS, progress=report, now=100.0 + step)
        seen.append(current.progress)
    assert seen == expected


def test_advance_records_results_cost_error_and_time() -> None:
    running = job().advance("processing", progress=10, now=150.0, cost=Decimal("0.25"))
    done = running.advance(S.COMPLETED, progress=None, now=160.0, result_urls=["https://cdn/a.mp4"])
    assert done.status is S.COMPLETED
    assert done.result_urls == ("https://cdn/a.mp4",)
    assert done.cost_usd == Decimal("0.25")
    assert done.updated_at == 160.0
    assert done.created_at == 100.0
    failed = job().advance(S.FAILED, progress=None, now=120.0, error="content policy")
    assert (failed.status, failed.error) == (S.FAILED, "content policy")


def test_updated_at_never_moves_backwards() -> None:
    assert job().advance(S.IN_PROGRESS, progress=None, now=50.0).updated_at == 100.0


def test_with_output_and_age() -> None:
    done = job(S.COMPLETED, 100).with_output("/out/clip.mp4")
    assert done.output_path == "/out/clip.mp4"
    assert done.age_seconds(130.5) == 30.5
    assert done.age_seconds(10.0) == 0.0


def test_prompt_is_stored_as_a_preview() -> None:
    long = Job.submitted("v", model="m", prompt="x" * 1000, now=0.0)
    assert len(long.prompt) == PROMPT_PREVIEW_CHARS
    assert long.prompt.endswith("…")
    assert Job.submitted("v", model="m", prompt="short", now=0.0).prompt == "short"


def test_empty_id_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Job.submitted(" ", model="m", prompt="p", now=0.0)
