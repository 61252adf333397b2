"""Profile one contender with pyinstrument: `python -m benchmarks.profile [sync|async|parse] [--calls N]`.

The evidence behind benchmarks/README.md: where our client spends the time a raw httpx call does
not. pyinstrument is installed by `nox -s bench` only.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from . import contenders
from .harness import Settings, _async_batch
from .report import report_bytes
from .server import running_server


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("target", choices=("sync", "async", "parse"), nargs="?", default="sync")
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0001)
    if args.target == "parse":
        call = contenders.ours_parse(report_bytes())
        call()
        with profiler:
            for _ in range(args.calls):
                call()
    else:
        with running_server() as url:
            if args.target == "sync":
                closer = contenders.Closer()
                try:
                    call = contenders.ours_sync(url, closer)
                    call()
                    with profiler:
                        for _ in range(args.calls):
                            call()
                finally:
                    closer.close()
            else:
                in_flight = Settings().async_in_flight

                async def run() -> None:
                    side = contenders.ours_async(url)
                    try:
                        await _async_batch(side.call, in_flight, in_flight)
                        with profiler:
                            await _async_batch(side.call, args.calls, in_flight)
                    finally:
                        await side.aclose()

                asyncio.run(run())
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
