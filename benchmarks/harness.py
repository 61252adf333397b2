"""Measure every contender in one run, print one table of ratios against the goals, write JSON.

Timing rules, for figures that hold still on a 2-core machine:
- the loopback server runs in its own process (its own core), started once for all network figures;
- every contender is warmed up before it is timed (connections open, caches filled);
- contenders are timed in alternating rounds (the order flips every round), and a ratio is the median of
  the per-round ratios, so drift in the machine's speed hits both sides of each ratio alike;
- only time.perf_counter() is used.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import contenders
from .report import INSIGHTS_ATTRIBUTES, build_report, report_bytes, validate_report
from .server import running_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


@dataclass
class Row:
    """One figure of the table."""

    key: str  # stable identifier, e.g. "sync.ours_vs_raw"
    figure: str  # what is compared, for people
    value: float | None  # the ratio (or seconds for codegen); None when it could not be measured
    unit: str  # "x" for ratios, "s" for seconds
    detail: str  # the absolute figures behind the ratio
    goal: str = ""  # e.g. "<= 1.10x"; empty for figures shown for context
    passed: bool | None = None  # None when there is no goal or no value

    def value_text(self) -> str:
        if self.value is None:
            return "n/a"
        return f"{self.value:.2f}{self.unit}" if self.unit == "x" else f"{self.value:.2f} {self.unit}"

    def status(self) -> str:
        return {True: "pass", False: "MISS", None: "-" if not self.goal else "n/a"}[self.passed]


def goal_max(row: Row, limit: float) -> Row:
    row.passed = None if row.value is None else row.value <= limit
    return row


def goal_min(row: Row, limit: float) -> Row:
    row.passed = None if row.value is None else row.value >= limit
    return row


@dataclass
class Settings:
    """Iteration counts. The defaults keep a full run well under five minutes on 2 cores."""

    sync_rounds: int = 93  # many short rounds: each ratio compares runs a few milliseconds apart
    sync_calls: int = 20  # per contender per round
    plaid_sync_calls: int = 2  # plaid-python is ~15x slower per call
    async_repeats: int = 15
    async_total: int = 1000
    async_in_flight: int = 50
    parse_rounds: int = 31
    parse_calls: int = 150
    plaid_parse_calls: int = 5
    import_runs: int = 20
    codegen_runs: int = 1
    sizes: bool = True
    codegen: bool = True

    @classmethod
    def quick(cls) -> Settings:
        """Tiny counts: for the smoke test, which checks the harness, not the figures."""
        return cls(
            sync_rounds=2,
            sync_calls=3,
            plaid_sync_calls=1,
            async_repeats=1,
            async_total=20,
            async_in_flight=5,
            parse_rounds=2,
            parse_calls=3,
            plaid_parse_calls=1,
            import_runs=1,
        )


# --------------------------------------------------------------------------------------------------- timing


def per_call(call: Callable[[], object], n: int) -> float:
    """Seconds per call, over n back-to-back calls."""
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n


@dataclass
class Series:
    """Per-round seconds-per-call of several contenders, timed in alternating order."""

    times: dict[str, list[float]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])

    def ratios(self, name: str, base: str) -> list[float]:
        return [a / b for a, b in zip(self.times[name], self.times[base], strict=True)]

    def ratio(self, name: str, base: str) -> float:
        """Median over rounds of (name / base) measured in the same round."""
        return statistics.median(self.ratios(name, base))

    def spread(self, name: str, base: str) -> str:
        """The interquartile range of the per-round ratios, to show how steady the figure was."""
        ratios = self.ratios(name, base)
        if len(ratios) < 4:
            return f"{len(ratios)} rounds"
        q1, _, q3 = statistics.quantiles(ratios, n=4)
        return f"IQR {q1:.2f}-{q3:.2f} over {len(ratios)} rounds"


def alternate(calls: dict[str, tuple[Callable[[], object], int]], rounds: int) -> Series:
    """Time each contender `rounds` times, flipping the order every round.

    The garbage collector is emptied before each timed run but left on during it: collecting the objects a
    contender allocates is part of what it costs.
    """
    series = Series({name: [] for name in calls})
    names = list(calls)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            call, n = calls[name]
            gc.collect()
            series.times[name].append(per_call(call, n))
    return series


def micros(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} us" if seconds < 0.01 else f"{seconds * 1e3:,.1f} ms"


# ---------------------------------------------------------------------------------------------------- 1 sync


def bench_sync(url: str, settings: Settings) -> list[Row]:
    closer = contenders.Closer()
    try:
        calls: dict[str, tuple[Callable[[], object], int]] = {
            "raw": (contenders.raw_httpx_sync(url, closer), settings.sync_calls),
            "ours": (contenders.ours_sync(url, closer), settings.sync_calls),
        }
        if contenders.plaid_installed():
            calls["plaid"] = (contenders.plaid_sync(url, closer), settings.plaid_sync_calls)
        for call, _ in calls.values():  # warm-up: open the connection, fill caches
            for _ in range(3):
                call()
        series = alternate(calls, settings.sync_rounds)
    finally:
        closer.close()
    raw = series.median("raw")
    rows = [
        goal_max(
            Row(
                "sync.ours_vs_raw",
                "1. sync keep-alive call: our client / raw httpx.Client.post + json.loads",
                series.ratio("ours", "raw"),
                "x",
                f"{micros(series.median('ours'))} vs {micros(raw)} per call; {series.spread('ours', 'raw')}",
                "<= 1.10x",
            ),
            1.10,
        )
    ]
    rows.append(
        Row(
            "sync.plaid_vs_raw",
            "1. sync keep-alive call: plaid-python / raw httpx",
            series.ratio("plaid", "raw") if "plaid" in calls else None,
            "x",
            f"{micros(series.median('plaid'))} vs {micros(raw)} per call" if "plaid" in calls else "not installed",
        )
    )
    return rows


def bench_sync_example(url: str, settings: Settings) -> list[Row]:
    """Context for figure 1: the same comparison on the spec's small example report (served at `url`)."""
    closer = contenders.Closer()
    try:
        calls: dict[str, tuple[Callable[[], object], int]] = {
            "raw": (contenders.raw_httpx_sync(url, closer), settings.sync_calls),
            "ours": (contenders.ours_sync(url, closer), settings.sync_calls),
        }
        for call, _ in calls.values():
            for _ in range(3):
                call()
        series = alternate(calls, max(1, settings.sync_rounds // 3))
    finally:
        closer.close()
    size = len(report_bytes("example"))
    return [
        Row(
            "sync.ours_vs_raw_example",
            "1. same, on the spec's one-account example report (context)",
            series.ratio("ours", "raw"),
            "x",
            f"{micros(series.median('ours'))} vs {micros(series.median('raw'))} per call ({size:,} bytes); "
            + series.spread("ours", "raw"),
        )
    ]


# --------------------------------------------------------------------------------------------------- 2 async


async def _async_batch(call: contenders.AsyncCall, total: int, in_flight: int) -> float:
    """Seconds for `total` calls with at most `in_flight` outstanding (in_flight workers share a counter)."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return time.perf_counter() - start


async def _bench_async(url: str, settings: Settings) -> Series:
    sides = {"raw": contenders.raw_httpx_async(url), "ours": contenders.ours_async(url)}
    series = Series({name: [] for name in sides})
    try:
        for side in sides.values():  # warm-up: open every connection the batch will use
            await _async_batch(side.call, settings.async_in_flight * 2, settings.async_in_flight)
        names = list(sides)
        for r in range(settings.async_repeats):
            for name in names if r % 2 == 0 else names[::-1]:
                gc.collect()
                series.times[name].append(
                    await _async_batch(sides[name].call, settings.async_total, settings.async_in_flight)
                )
    finally:
        for side in sides.values():
            await side.aclose()
    return series


def bench_async(url: str, settings: Settings) -> list[Row]:
    series = asyncio.run(_bench_async(url, settings))
    total = settings.async_total
    ours, raw = series.median("ours"), series.median("raw")
    label = "AsyncPartnerInsightsClient"
    return [
        goal_max(
            Row(
                "async.ours_vs_raw",
                f"2. async {total} calls, {settings.async_in_flight} in flight: {label} / raw httpx.AsyncClient",
                series.ratio("ours", "raw"),
                "x",
                f"{ours:.3f} s vs {raw:.3f} s ({total / ours:,.0f} vs {total / raw:,.0f} calls/s); "
                + series.spread("ours", "raw"),
                "<= 1.10x",
            ),
            1.10,
        )
    ]


# --------------------------------------------------------------------------------------------------- 3 parse


def bench_parse(settings: Settings) -> list[Row]:
    body = report_bytes()
    calls: dict[str, tuple[Callable[[], object], int]] = {
        "json": (contenders.json_parse(body), settings.parse_calls),
        "ours": (contenders.ours_parse(body), settings.parse_calls),
    }
    if contenders.plaid_installed():
        calls["plaid"] = (contenders.plaid_parse(body), settings.plaid_parse_calls)
    for call, _ in calls.values():
        call()
    series = alternate(calls, settings.parse_rounds)
    size = f"{len(body) / 1024:.1f} KiB body"
    rows = [
        goal_max(
            Row(
                "parse.ours_vs_json",
                "3. parse bytes -> typed model: ours / bare json.loads",
                series.ratio("ours", "json"),
                "x",
                f"{micros(series.median('ours'))} vs {micros(series.median('json'))} ({size}); "
                + series.spread("ours", "json"),
                "<= 2x",
            ),
            2.0,
        )
    ]
    plaid = "plaid" in calls
    rows.append(
        goal_min(
            Row(
                "parse.plaid_vs_ours",
                "3. parse bytes -> typed model: plaid-python deserialize / ours (times faster)",
                series.ratio("plaid", "ours") if plaid else None,
                "x",
                f"{micros(series.median('plaid'))} vs {micros(series.median('ours'))}" if plaid else "not installed",
                ">= 10x",
            ),
            10.0,
        )
    )
    return rows


# -------------------------------------------------------------------------------------------------- 4 import

IMPORTS = {
    "ours": "import plaid_partner_insights",
    "floor": "import httpx, attrs",
    "plaid": "import plaid.api.plaid_api",
}


def import_seconds(statement: str) -> float:
    """Time one import statement in a fresh interpreter (measured inside it, so startup is not counted)."""
    code = f"import time\nt = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)"
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()
    )
    return float(result.stdout.strip().splitlines()[-1])


def bench_import(settings: Settings) -> list[Row]:
    statements = {k: v for k, v in IMPORTS.items() if k != "plaid" or contenders.plaid_installed()}
    for statement in statements.values():  # write bytecode caches first: every timed run is a warm start
        import_seconds(statement)
    times: dict[str, list[float]] = {name: [] for name in statements}
    names = list(statements)
    for r in range(settings.import_runs):
        for name in names if r % 2 == 0 else names[::-1]:
            times[name].append(import_seconds(statements[name]))
    median = {name: statistics.median(t) for name, t in times.items()}
    runs = f"median of {settings.import_runs}"
    rows = [
        goal_max(
            Row(
                "import.ours_vs_floor",
                "4. import time, fresh interpreter: `import plaid_partner_insights` / `import httpx, attrs`",
                median["ours"] / median["floor"],
                "x",
                f"{median['ours'] * 1e3:.1f} ms vs {median['floor'] * 1e3:.1f} ms ({runs})",
                "<= 1.2x",
            ),
            1.2,
        )
    ]
    rows.append(
        Row(
            "import.plaid_vs_floor",
            "4. import time: `import plaid.api.plaid_api` / `import httpx, attrs`",
            median["plaid"] / median["floor"] if "plaid" in median else None,
            "x",
            f"{median['plaid'] * 1e3:.1f} ms vs {median['floor'] * 1e3:.1f} ms ({runs})"
            if "plaid" in median
            else "not installed",
        )
    )
    return rows


# --------------------------------------------------------------------------------------------------- 5 sizes


def build_wheel(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    return next(out.glob("*.whl"))


def wheel_installed_bytes(wheel: Path) -> int:
    """What installing the wheel writes (before pip compiles bytecode): the sum of its members."""
    with zipfile.ZipFile(wheel) as archive:
        return sum(info.file_size for info in archive.infolist())


def distribution_files(name: str) -> dict[str, Path]:
    """The files a distribution installed (from its RECORD, by path in the wheel), without compiled bytecode."""
    dist = metadata.distribution(name)
    files = {str(f): Path(str(f.locate())) for f in dist.files or [] if not str(f).endswith(".pyc")}
    return {name: path for name, path in files.items() if path.is_file()}


def zipped_bytes(files: dict[str, Path], out: Path) -> int:
    """Size of the files deflated into one zip, as a wheel of them would be."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in files.items():
            archive.write(path, name)
    return out.stat().st_size


def bench_sizes(settings: Settings) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-wheel-") as tmp:
        wheel = build_wheel(Path(tmp))
        ours_wheel = wheel.stat().st_size
        ours_installed = wheel_installed_bytes(wheel)
        plaid_wheel = plaid_installed = None
        if contenders.plaid_installed():
            files = distribution_files("plaid-python")
            plaid_installed = sum(p.stat().st_size for p in files.values())
            # plaid-python publishes only an sdist: its wheel size is its installed files deflated into one zip.
            plaid_wheel = zipped_bytes(files, Path(tmp) / "plaid.zip")

    def kib(n: int) -> str:
        return f"{n / 1024:,.0f} KiB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MiB"

    return [
        Row(
            "size.wheel_ours_vs_plaid",
            "5. wheel size: ours / plaid-python",
            ours_wheel / plaid_wheel if plaid_wheel else None,
            "x",
            f"{kib(ours_wheel)} vs {kib(plaid_wheel)} (plaid-python: its files zipped; it ships no wheel)"
            if plaid_wheel
            else f"{kib(ours_wheel)}; plaid-python not installed",
        ),
        Row(
            "size.installed_ours_vs_plaid",
            "5. installed size (no .pyc): ours / plaid-python",
            ours_installed / plaid_installed if plaid_installed else None,
            "x",
            f"{kib(ours_installed)} vs {kib(plaid_installed)}"
            if plaid_installed
            else f"{kib(ours_installed)}; plaid-python not installed",
        ),
    ]


# ------------------------------------------------------------------------------------------------- 6 codegen


@dataclass
class CodegenRun:
    seconds: float
    returncode: int


def codegen_copy(tmp: Path) -> Path:
    """A copy of what codegen.py reads and writes, so timing it never rewrites the shared generated/."""
    copy = tmp / "repo"
    copy.mkdir()
    shutil.copy2(ROOT / "codegen.py", copy / "codegen.py")
    for folder in ("spec", "generator-config", "generated"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def time_codegen(copy: Path, *args: str) -> CodegenRun:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "codegen.py", *args], cwd=copy, capture_output=True, text=True)
    return CodegenRun(time.perf_counter() - start, result.returncode)


def bench_codegen(settings: Settings) -> list[Row]:
    runs: dict[str, list[CodegenRun]] = {"--check": [], "": []}
    with tempfile.TemporaryDirectory(prefix="bench-codegen-") as tmp:
        copy = codegen_copy(Path(tmp))
        for _ in range(settings.codegen_runs):
            for mode in runs:  # --check first: it compares against the committed tree, as CI does
                runs[mode].append(time_codegen(copy, *([mode] if mode else [])))
    cores = os.cpu_count()
    rows = []
    for mode, label in (("", "python codegen.py"), ("--check", "python codegen.py --check")):
        seconds = statistics.median(r.seconds for r in runs[mode])
        failed = [r.returncode for r in runs[mode] if r.returncode != 0]
        note = f" (exit {failed[0]}: generated/ differs from the spec)" if failed else ""
        rows.append(
            goal_max(
                Row(
                    f"codegen.{'check' if mode else 'write'}",
                    f"6. `{label}` wall time",
                    seconds,
                    "s",
                    f"{cores} cores, median of {settings.codegen_runs}{note}",
                    "< 15 s",
                ),
                15.0,
            )
        )
    return rows


# ------------------------------------------------------------------------------------------------------ run

ROW_KEYS = (
    "sync.ours_vs_raw",
    "sync.plaid_vs_raw",
    "sync.ours_vs_raw_example",
    "async.ours_vs_raw",
    "parse.ours_vs_json",
    "parse.plaid_vs_ours",
    "import.ours_vs_floor",
    "import.plaid_vs_floor",
    "size.wheel_ours_vs_plaid",
    "size.installed_ours_vs_plaid",
    "codegen.write",
    "codegen.check",
)


def check_plaid_parses_report() -> None:
    """plaid-python must accept the same report, or its figures would time an error path."""
    if not contenders.plaid_installed():
        return
    parsed: Any = contenders.plaid_parse(report_bytes())()
    if parsed.report.prism.cash_score.score != build_report()["report"]["prism"]["cash_score"]["score"]:
        raise AssertionError("plaid-python did not parse the benchmark report")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str | None] = {}
    for name in ("httpx", "attrs", "uvicorn", "plaid-python", "plaid-partner-insights"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "versions": versions,
    }


def run_all(settings: Settings, log: Callable[[str], object] = print) -> list[Row]:
    """Every figure, in the order of the issue."""
    validate_report()
    validate_report("example")
    check_plaid_parses_report()
    rows: list[Row] = []
    with running_server() as url:
        log(f"server up at {url}; sync ...")
        rows += bench_sync(url, settings)
        log("async ...")
        rows += bench_async(url, settings)
    with running_server("example") as url:
        log("sync, example report ...")
        rows[2:2] = bench_sync_example(url, settings)
    log("parse ...")
    rows += bench_parse(settings)
    log("import ...")
    rows += bench_import(settings)
    if settings.sizes:
        log("sizes (building our wheel) ...")
        rows += bench_sizes(settings)
    if settings.codegen:
        log("codegen ...")
        rows += bench_codegen(settings)
    return rows


def render(rows: Sequence[Row]) -> str:
    header = ("figure", "ratio", "goal", "result", "measured")
    body = [(r.figure, r.value_text(), r.goal or "-", r.status(), r.detail) for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, body)])


def write_json(
    rows: Sequence[Row], settings: Settings, out: Path, seconds: float, load_before: float | None = None
) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {**machine(), "load_average_1m_before": load_before},
        "settings": asdict(settings),
        "report": {
            "bytes": len(report_bytes()),
            "insights_attributes": INSIGHTS_ATTRIBUTES,
            "example_bytes": len(report_bytes("example")),
        },
        "ours": "our client",
        "seconds": round(seconds, 1),
        "rows": [asdict(r) for r in rows],
    }
    out.write_text(json.dumps(document, indent=2) + "\n")


def iter_missing(rows: Sequence[Row]) -> Iterator[str]:
    present = {r.key for r in rows}
    yield from (key for key in ROW_KEYS if key not in present)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny iteration counts (checks the harness only)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS})")
    parser.add_argument("--no-sizes", action="store_true", help="skip building the wheel")
    parser.add_argument("--no-codegen", action="store_true", help="skip timing codegen.py")
    args = parser.parse_args(argv)
    settings = Settings.quick() if args.quick else Settings()
    settings.sizes = not args.no_sizes
    settings.codegen = not args.no_codegen
    start = time.perf_counter()
    load_before = machine()["load_average_1m"]
    rows = run_all(settings, log=lambda message: print(message, file=sys.stderr, flush=True))
    seconds = time.perf_counter() - start
    info = machine()
    print(
        f"\n{info['cores']} cores, {info['cpu']}, Python {info['python']}; report {len(report_bytes()):,} bytes; "
        f"{seconds:.0f} s; 1-minute load average before the run {load_before} "
        "(other work on the machine moves the network figures)\n"
    )
    print(render(rows))
    write_json(rows, settings, args.output, seconds, load_before)
    print(f"\nwrote {args.output}")
    missed = [r.key for r in rows if r.passed is False]
    if missed:
        print(f"goals missed: {', '.join(missed)} (see benchmarks/README.md)")
    return 0
