"""`spec/upstream.yaml`: which upstream spec we are in step with, and our deliberate deviations from it."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ._compare import Difference
from ._load import SpecReadError


@dataclass(frozen=True)
class Deviation:
    """A difference from upstream we keep on purpose; `match` holds fnmatch patterns of report lines.

    With `until`, a release of upstream's, the deviation covers only comparisons with releases older than that one
    (what we know of a newer release than the file we could read); from that release on, upstream says it itself.
    """

    name: str
    reason: str
    match: tuple[str, ...]
    until: str | None = None

    def covers(self, difference: Difference, release: str | None = None) -> bool:
        if self.until is not None and not is_older(release, self.until):
            return False
        return any(fnmatch.fnmatchcase(difference.line, pattern) for pattern in self.match)


def release_key(release: str) -> tuple[str, tuple[int, ...]] | None:
    """`2020-09-14_1.778.0` -> ("2020-09-14", (1, 778, 0)): the API version, then the release number; None when
    `release` is not written that way."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})_(\d+(?:\.\d+)*)", release)
    return (match.group(1), tuple(int(part) for part in match.group(2).split("."))) if match else None


def is_older(release: str | None, than: str) -> bool:
    """Whether upstream's `release` came before `than` (False when either is not written as a release)."""
    key, limit = release_key(release or ""), release_key(than)
    return key is not None and limit is not None and key < limit


@dataclass(frozen=True)
class UpstreamRecord:
    """The content of `spec/upstream.yaml`."""

    url: str
    version: str
    sha256: str | None
    deviations: tuple[Deviation, ...]

    def unexplained(self, differences: list[Difference], release: str | None = None) -> list[Difference]:
        """The differences from upstream's `release` that no recorded deviation covers."""
        return [d for d in differences if not any(dev.covers(d, release) for dev in self.deviations)]


def read_record(path: Path) -> UpstreamRecord:
    """Parse `spec/upstream.yaml`, naming the field at fault when it is malformed."""
    try:
        raw: Any = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise SpecReadError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise SpecReadError(f"{path}: expected a mapping")
    for key in ("url", "version"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise SpecReadError(f"{path}: `{key}` must be a non-empty string")
    sha256 = raw.get("sha256")
    if sha256 is not None and not (isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256)):
        raise SpecReadError(f"{path}: `sha256` must be 64 lowercase hex digits or null")
    deviations = []
    for index, entry in enumerate(raw.get("deviations") or ()):
        where = f"{path}: deviations[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise SpecReadError(f"{where}: needs a `name`")
        if not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
            raise SpecReadError(f"{where} ({entry['name']}): needs a `reason`")
        match = entry.get("match") or []
        if not isinstance(match, list) or not all(isinstance(m, str) for m in match):
            raise SpecReadError(f"{where} ({entry['name']}): `match` must be a list of strings")
        until = entry.get("until")
        if until is not None and (not isinstance(until, str) or release_key(until) is None):
            raise SpecReadError(f"{where} ({entry['name']}): `until` must be a release such as 2020-09-14_1.778.0")
        deviations.append(Deviation(entry["name"], entry["reason"].strip(), tuple(match), until))
    return UpstreamRecord(raw["url"], raw["version"], sha256, tuple(deviations))


def recorded_text(text: str, version: str, sha256: str, *, source: str = "spec/upstream.yaml") -> str:
    """`spec/upstream.yaml`'s text with a new `version` and `sha256`, and without the deviations that ended with that
    release (`until` reached: upstream says it itself now); everything else (comments too) unchanged."""
    from ._roundtrip import dump_round_trip, load_round_trip  # ruamel.yaml: only the commands that write need it

    data = load_round_trip(text, source)
    data["version"] = version
    data["sha256"] = sha256
    deviations = data.get("deviations")
    if isinstance(deviations, list):
        deviations[:] = [entry for entry in deviations if not _ended(entry, version)]
    return dump_round_trip(data)


def ended_deviations(record: UpstreamRecord, release: str) -> list[str]:
    """The names of the recorded deviations that end with upstream's `release` (see `recorded_text`)."""
    return [d.name for d in record.deviations if d.until is not None and not is_older(release, d.until)]


def _ended(entry: Any, release: str) -> bool:
    until = entry.get("until") if isinstance(entry, dict) else None
    return isinstance(until, str) and not is_older(release, until)


def record_upstream(path: Path, version: str, sha256: str) -> None:
    """Write a new `version` and `sha256` into `spec/upstream.yaml`."""
    path.write_text(recorded_text(path.read_text(), version, sha256, source=str(path)))
