"""Benchmarks: every figure is a ratio to a reference measured beside it in the same run (interleaved, medians).

Run from the repository root, with the package installed in the interpreter:

    python benchmarks/run.py                          # ours against the floor (and sharp, if found)
    python benchmarks/run.py --before /path/to/python --anchor /tmp/anchor

``--before`` adds columns for another installation (e.g. the main branch in its own venv); ``--anchor`` is a
built checkout of the TypeScript anchor (stabgan/openrouter-mcp-multimodal, ``npm ci && npm run build``);
sharp comes from ``--sharp`` or the anchor's ``node_modules``. The upstream is ``upstream.py`` on loopback.
Not part of the test suite: these machines are noisy, so only the ratios mean anything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from stdio_client import StdioServer, cpu_seconds, reset_peak, rss_kib  # noqa: E402

KEY = "sk-or-v1-bench"
CHAT_ARGS = {"messages": [{"role": "user", "content": "Say something short."}], "model": "bench/chat"}
VIDEO_BYTES = 100_000_000
MIB = 1024 * 1024


@dataclass
class Variant:
    """One server under measurement: ``ours`` / ``before`` (a Python), ``floor`` or ``anchor`` (node)."""

    name: str
    kind: str
    program: str
    work: Path
    inputs: Path

    def argv(self) -> list[str]:
        if self.kind == "anchor":
            return ["node", str(Path(self.program) / "dist-bench" / "index.js")]
        if self.kind == "floor":
            return [self.program, str(HERE / "floor_server.py")]
        return [self.program, "-m", "openrouter_multimodal.entrypoints"]

    def env(self, upstream: str | None) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "BENCH_"))}
        out = self.work / "out"
        if self.kind == "floor":
            return {**base, **({"BENCH_UPSTREAM": upstream} if upstream else {})}
        common = {"OPENROUTER_API_KEY": KEY, "OPENROUTER_OUTPUT_DIR": str(out),
                  "OPENROUTER_INPUT_DIR": str(self.inputs), "OPENROUTER_VIDEO_POLL_INTERVAL_MS": "50",
                  "OPENROUTER_DEFAULT_MODEL": "bench/chat"}
        if self.kind == "anchor":
            return {**base, **common, "BENCH_UPSTREAM": upstream or "http://127.0.0.1:9/api/v1",
                    "OPENROUTER_LOG_LEVEL": "error"}
        return {**base, **common, "OPENROUTER_BASE_URL": upstream or "http://127.0.0.1:9/api/v1",
                "OPENROUTER_LOG_LEVEL": "warning", "OPENROUTER_VIDEO_MAX_WAIT_MS": "120000"}

    def server(self, upstream: str | None) -> StdioServer:
        return StdioServer(self.argv(), self.env(upstream), cwd=str(self.work))


@dataclass
class Row:
    figure: str
    values: dict[str, float | None]
    reference: str
    unit: str
    goal: str = ""
    check: Callable[[dict[str, float | None]], bool | None] | None = None
    notes: list[str] = field(default_factory=list)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p99(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def rotate(items: list[Variant], turn: int) -> list[Variant]:
    """A different order every round, so no variant always runs right after the same neighbour."""
    shift = turn % len(items)
    return items[shift:] + items[:shift]


class Upstream:
    """``upstream.py`` in its own process, so its work does not share our event loop."""

    def __enter__(self) -> Upstream:
        self.proc = subprocess.Popen([sys.executable, str(HERE / "upstream.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline().split()[1])
        return self

    def url(self, lag_ms: int = 0) -> str:
        prefix = f"/lag{lag_ms}" if lag_ms else ""
        return f"http://127.0.0.1:{self.port}{prefix}/api/v1"

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


def tools_bytes(tools: list[dict[str, Any]]) -> tuple[int, float, str, int]:
    """Compact JSON of the tool list (as ``tests/integration/test_schema_bounds.py`` measures it), its mean per
    tool, and the largest tool."""
    sizes = {t["name"]: len(json.dumps(t, separators=(",", ":")).encode()) for t in tools}
    biggest = max(sizes, key=lambda name: sizes[name])
    return len(json.dumps(tools, separators=(",", ":")).encode()), sum(sizes.values()) / len(sizes), biggest, \
        sizes[biggest]


async def startup(variants: list[Variant], rounds: int) -> tuple[Row, Row, Row, Row]:
    starts: dict[str, list[float]] = {v.name: [] for v in variants}
    exits: dict[str, list[float]] = {v.name: [] for v in variants}
    listed: dict[str, list[dict[str, Any]]] = {}
    for turn in range(rounds):
        for variant in rotate(variants, turn):
            server = variant.server(None)
            starts[variant.name].append(await server.start())
            listed.setdefault(variant.name, server.tools)
            exits[variant.name].append(await server.close())
    sizes = {name: tools_bytes(tools) for name, tools in listed.items()}
    start = Row("spawn → initialize → tools/list", {k: median(v) * 1000 for k, v in starts.items()}, "floor", "ms",
                "≤ 1.10× floor", lambda r: _ratio(r, "ours", "floor", 1.10))
    leave = Row("exit after stdin EOF", {k: median(v) * 1000 for k, v in exits.items()}, "floor", "ms")
    ours_names = [k for k in sizes if k != "floor"]
    total = Row("tools/list bytes (compact JSON)", {k: float(sizes[k][0]) for k in ours_names},
                "anchor" if "anchor" in sizes else "", "B")
    per_tool = Row("tools/list bytes per tool (mean)", {k: round(sizes[k][1]) for k in ours_names},
                   "anchor" if "anchor" in sizes else "", "B",
                   notes=[f"{k}: {len(listed[k])} tools, largest {sizes[k][2]} {sizes[k][3]} B" for k in ours_names])
    return start, leave, total, per_tool


def _ratio(values: dict[str, float | None], name: str, ref: str, limit: float) -> bool | None:
    mine, base = values.get(name), values.get(ref)
    return None if mine is None or not base else mine / base <= limit


async def _call(server: StdioServer, variant: Variant, args: dict[str, Any] | None = None) -> float:
    start = time.perf_counter()
    if variant.kind == "floor":
        await server.call("chat", {"messages": CHAT_ARGS["messages"]})
    else:
        await server.call("chat_completion", args or CHAT_ARGS)
    return time.perf_counter() - start


async def per_call(variants: list[Variant], upstream: Upstream, blocks: int,
                   per_block: int) -> tuple[Row, Row, Row]:
    servers = {v.name: v.server(upstream.url()) for v in variants}
    samples: dict[str, list[float]] = {v.name: [] for v in variants}
    try:
        for variant in variants:
            await servers[variant.name].start()
            for _ in range(20):
                await _call(servers[variant.name], variant)
        cpu_before = {name: cpu_seconds(server.pid) for name, server in servers.items()}
        for turn in range(blocks * per_block):
            for variant in rotate(variants, turn):
                samples[variant.name].append(await _call(servers[variant.name], variant))
        cpu = {name: (cpu_seconds(server.pid) - cpu_before[name]) * 1000 / (blocks * per_block)
               for name, server in servers.items()}
    finally:
        for server in servers.values():
            await server.close()
    p50 = Row("chat call latency p50 (sequential)", {k: median(v) * 1000 for k, v in samples.items()}, "floor", "ms",
              "≤ 1.15× floor", lambda r: _ratio(r, "ours", "floor", 1.15))
    tail = Row("chat call latency p99", {k: p99(v) * 1000 for k, v in samples.items()}, "floor", "ms")
    used = Row("server CPU per chat call", dict(cpu), "floor", "ms")
    return p50, tail, used


async def burst(variants: list[Variant], upstream: Upstream, sizes: Sequence[int], rounds: int) -> list[Row]:
    servers = {v.name: v.server(upstream.url(1000)) for v in variants}
    walls: dict[int, dict[str, list[float]]] = {n: {v.name: [] for v in variants} for n in sizes}
    try:
        for variant in variants:
            await servers[variant.name].start()
            await asyncio.gather(*(_call(servers[variant.name], variant) for _ in range(8)))
        for turn in range(rounds):
            for n in sizes:
                for variant in rotate(variants, turn):
                    start = time.perf_counter()
                    await asyncio.gather(*(_call(servers[variant.name], variant) for _ in range(n)))
                    walls[n][variant.name].append(time.perf_counter() - start)
    finally:
        for server in servers.values():
            await server.close()
    rows = []
    for n in sizes:
        values = {k: median(v) for k, v in walls[n].items()}
        goal, check = ("≤ 1.2 s", (lambda r: None if r.get("ours") is None else r["ours"] <= 1.2)) if n == 200 \
            else ("", None)
        rows.append(Row(f"{n} simultaneous chat calls, 1 s upstream (wall)", values, "floor", "s", goal, check))
    return rows


def images(programs: dict[str, str], sharp: Path | None, scratch: Path, rounds: int) -> list[Row]:
    """One persistent worker per preparer; each round asks every worker for each image in turn (a warm-up
    round first), so ours and sharp alternate image by image under the same load."""
    photo, noise = scratch / "photo-12mp.jpg", scratch / "noise-12mp.jpg"
    subprocess.run([sys.executable, str(HERE / "make_inputs.py"), "images", str(photo), str(noise)], check=True)
    argv = {name: [program, str(HERE / "image_worker.py")] for name, program in programs.items()}
    if sharp:
        argv["sharp"] = ["node", str(HERE / "sharp_worker.mjs"), str(sharp)]
    workers = {name: subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for name, command in argv.items()}
    times: dict[str, dict[str, list[float]]] = {path.name: {name: [] for name in workers} for path in (photo, noise)}
    sizes: dict[str, dict[str, float]] = {path.name: {} for path in (photo, noise)}
    try:
        for turn in range(rounds + 1):
            for path in (photo, noise):
                order = list(workers)
                for name in order[turn % len(order):] + order[:turn % len(order)]:
                    worker = workers[name]
                    assert worker.stdin is not None and worker.stdout is not None
                    worker.stdin.write(f"{path}\n")
                    worker.stdin.flush()
                    answer = json.loads(worker.stdout.readline())
                    if turn:
                        times[path.name][name].append(answer["ms"])
                    sizes[path.name][name] = float(answer["bytes"])
    finally:
        for worker in workers.values():
            assert worker.stdin is not None
            worker.stdin.close()
            worker.wait(10)
    rows = []
    ref = "sharp" if sharp else ""
    for path, label in ((photo, "photo-like"), (noise, "noise")):
        ms: dict[str, float | None] = {name: median(values) for name, values in times[path.name].items()}
        rows.append(Row(f"prepare a {label} 12 MP JPEG at 800 px", ms, ref, "ms", "≤ 0.9× sharp" if sharp else "",
                        (lambda r: _ratio(r, "ours", "sharp", 0.9)) if sharp else None))
        rows.append(Row(f"  its JPEG sent upstream ({label})", dict(sizes[path.name]), ref, "B"))
    if not sharp:
        rows[0].notes.append("sharp not found (no --sharp, no --anchor with node_modules): Pillow's times alone")
    return rows


async def transfers(variants: list[Variant], upstream: Upstream, clip: Path, rounds: int) -> list[Row]:
    servers = {v.name: v.server(upstream.url()) for v in variants}
    grow: dict[str, dict[str, list[float]]] = {"analyze": {}, "download": {}}
    took: dict[str, dict[str, list[float]]] = {"analyze": {}, "download": {}}
    failures: list[str] = []
    try:
        for variant in variants:
            (variant.work / "out").mkdir(exist_ok=True)
            await servers[variant.name].start()
        for turn in range(rounds):
            for variant in rotate(variants, turn):
                server = servers[variant.name]
                jobs: list[tuple[str, str, dict[str, Any]]] = []
                if variant.kind != "floor":
                    jobs.append(("analyze", "analyze_video", {"video_path": str(clip), "model": "bench/chat",
                                                              "question": "What happens?"}))
                    jobs.append(("download", "generate_video", {"prompt": "a benchmark", "model": "bench/video",
                                                                "save_path": str(variant.work / "out" /
                                                                                 f"dl-{turn}.mp4")}))
                else:
                    jobs.append(("download", "download", {"save_path": str(variant.work / f"dl-{turn}.mp4")}))
                for key, tool, args in jobs:
                    before = rss_kib(server.pid)
                    exact = reset_peak(server.pid)
                    start = time.perf_counter()
                    try:
                        await server.call(tool, args)
                    except RuntimeError as exc:
                        failures.append(f"{variant.name} {tool}: {exc}"[:300])
                        continue
                    took[key].setdefault(variant.name, []).append(time.perf_counter() - start)
                    peak = rss_kib(server.pid, "VmHWM")
                    grow[key].setdefault(variant.name, []).append(max(0, peak - before) / 1024 if exact else
                                                                  float("nan"))
                for leftover in (variant.work / "out").glob("dl-*"):
                    leftover.unlink()
                for leftover in variant.work.glob("dl-*"):
                    leftover.unlink()
    finally:
        for server in servers.values():
            await server.close()
    ref = "anchor" if any(v.kind == "anchor" for v in variants) else ""
    for failure in failures:
        print("transfer failed:", failure, file=sys.stderr)
    return [
        Row("analyse a 100 MB video: time", {k: median(v) for k, v in took["analyze"].items()}, ref, "s"),
        Row("analyse a 100 MB video: peak RSS growth", {k: median(v) for k, v in grow["analyze"].items()}, ref,
            "MiB"),
        Row("download a 256 MB generated video: time", {k: median(v) for k, v in took["download"].items()},
            ref or "floor", "s", "≤ anchor" if ref else "", (lambda r: _ratio(r, "ours", "anchor", 1.0)) if ref
            else None),
        Row("download a 256 MB generated video: peak RSS growth", {k: median(v) for k, v in grow["download"].items()},
            ref or "floor", "MiB", "flat (≤ 16 MiB)", lambda r: None if r.get("ours") is None else r["ours"] <= 16),
    ]


def policy(programs: dict[str, str], floor_call_ms: float | None, rounds: int, calls: int) -> list[Row]:
    import socket
    from contextlib import closing

    redis = shutil.which("redis-server")
    if redis is None:
        return [Row("policy check per call", {}, "", "ms", notes=["redis-server not found: skipped"])]
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in programs}
        for turn in range(rounds):
            for name in (list(programs)[turn % len(programs):] + list(programs)[:turn % len(programs)]):
                argv = [programs[name], str(HERE / "policy_overhead.py"), str(calls), "--redis",
                        f"redis://127.0.0.1:{port}/0", "--json"]
                results[name].append(json.loads(subprocess.run(argv, check=True, capture_output=True, text=True,
                                                                cwd=str(HERE.parent)).stdout))
    finally:
        proc.terminate()
        proc.wait(5)
    rows = []
    for case in ("sqlite, 2 caps + budget", "redis, 2 caps + budget"):
        values: dict[str, float | None] = {name: median([r[case] for r in runs]) for name, runs in results.items()}
        values["floor"] = floor_call_ms
        rows.append(Row(f"policy check per call ({case})", values, "floor", "ms",
                        notes=["reference: the floor's whole sequential chat call"]))
    return rows


def prepare_anchor(anchor: Path) -> None:
    """A copy of the anchor's ``dist`` whose hard-coded upstream URL reads ``BENCH_UPSTREAM`` (the anchor has no
    base-URL setting); written inside the anchor's own checkout, never here."""
    target = anchor / "dist-bench"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(anchor / "dist", target)
    literal = "'https://openrouter.ai/api/v1'"
    for js in target.rglob("*.js"):
        text = js.read_text()
        if literal in text:
            js.write_text(text.replace(literal, f"(process.env.BENCH_UPSTREAM || {literal})"))


def render(rows: list[Row], columns: list[str]) -> str:
    head = ["figure", *columns, "ref", "ours ÷ ref", *(["before ÷ ref"] if "before" in columns else []), "goal"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [f"{row.figure} ({row.unit})"]
        for name in columns:
            value = row.values.get(name)
            cells.append("—" if value is None else _fmt(value, row.unit))
        ref = row.values.get(row.reference) if row.reference else None
        cells.append(row.reference or "—")
        for name in ("ours", *(["before"] if "before" in columns else [])):
            value = row.values.get(name)
            cells.append(f"{value / ref:.2f}×" if value is not None and ref else "—")
        met = row.check(row.values) if row.check else None
        cells.append(f"{row.goal}: {'met' if met else 'not met'}" if row.goal and met is not None else row.goal)
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"- {row.figure}: {note}" for row in rows for note in row.notes]
    return "\n".join(lines + ([""] + notes if notes else []))


def _fmt(value: float, unit: str) -> str:
    if value != value:
        return "n/a"
    if unit == "B":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.3f}"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=sys.executable, help="interpreter with the package to measure")
    parser.add_argument("--before", help="another interpreter with an older install (adds 'before' columns)")
    parser.add_argument("--anchor", type=Path, help="a built checkout of the TypeScript anchor")
    parser.add_argument("--sharp", type=Path, help="a directory whose node_modules holds sharp")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the start-up and image figures")
    parser.add_argument("--only", default="", help="comma list of: startup,call,burst,images,transfers,policy")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))

    def want(part: str) -> bool:
        return not only or part in only

    for python in filter(None, (args.python, args.before)):
        if subprocess.run([python, "-c", "import rich"], capture_output=True).returncode == 0:
            print(f"note: {python} has rich (a development dependency): structlog imports it, about 80 ms of "
                  "start-up a user's install does not pay; measure a `pip install .` venv.", file=sys.stderr)
    sharp = args.sharp or (args.anchor if args.anchor and (args.anchor / "node_modules" / "sharp").exists() else None)
    if args.anchor:
        prepare_anchor(args.anchor)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch_name, Upstream() as upstream:
        scratch = Path(scratch_name)
        inputs = scratch / "inputs"
        inputs.mkdir()
        clip = inputs / "clip-100mb.mp4"

        def variant(name: str, kind: str, program: str) -> Variant:
            work = scratch / name
            work.mkdir()
            return Variant(name, kind, program, work, inputs)

        variants = [variant("ours", "ours", args.python), variant("floor", "floor", args.python)]
        if args.before:
            variants.append(variant("before", "ours", args.before))
        if args.anchor:
            variants.append(variant("anchor", "anchor", str(args.anchor)))
        pythons = {"ours": args.python, **({"before": args.before} if args.before else {})}
        rows: list[Row] = []
        floor_call: float | None = None
        if want("startup"):
            rows += await startup(variants, args.rounds)
        if want("call"):
            p50, tail, used = await per_call([v for v in variants if v.kind != "anchor"], upstream, 10, 40)
            floor_call = p50.values.get("floor")
            rows += [p50, tail, used]
        if want("burst"):
            rows += await burst(variants, upstream, (50, 200), 3)
        if want("images"):
            rows += images(pythons, sharp, scratch, 3 * args.rounds)
        if want("transfers"):
            subprocess.run([sys.executable, str(HERE / "make_inputs.py"), "video", str(clip), str(VIDEO_BYTES)],
                           check=True)
            rows += await transfers(variants, upstream, clip, 3)
        if want("policy"):
            rows += policy(pythons, floor_call, 2, 2000)
    columns = ["ours", *(["before"] if args.before else []), "floor", *(["anchor"] if args.anchor else []),
               *(["sharp"] if sharp and want("images") else [])]
    print(render(rows, columns))
    print(f"\nreference = the column named in each row's ratio: floor (a bare MCPServer), anchor or sharp. "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}.")


if __name__ == "__main__":
    asyncio.run(main())
