"""Test tooling lives in `plaid_partner_insights.testing`, apart from the client; 0.1.0's paths still work, warning."""

from __future__ import annotations

import importlib
import pickle
import sys

import pytest

import plaid_partner_insights
from plaid_partner_insights import testing
from plaid_partner_insights.testing import emulator
from tests.loaded_modules import modules_loaded_by

MOVED_TOP_LEVEL_NAMES = (
    "BootstrappedUser",
    "ConsumerReportAccessError",
    "SandboxBootstrapError",
    "SandboxReportFailedError",
    "SandboxReportTimeoutError",
    "bootstrap_sandbox_user",
)


def test_top_level_all_holds_no_test_tooling() -> None:
    exported = set(plaid_partner_insights.__all__)
    assert exported.isdisjoint(testing.__all__)
    assert exported.isdisjoint(emulator.__all__)


@pytest.mark.parametrize("name", MOVED_TOP_LEVEL_NAMES)
def test_a_moved_top_level_name_still_imports_with_a_warning(name: str) -> None:
    with pytest.warns(DeprecationWarning, match=rf"plaid_partner_insights\.testing\.{name}"):
        old = getattr(plaid_partner_insights, name)
    assert old is getattr(testing, name)


def test_the_old_emulator_path_still_imports_with_a_warning() -> None:
    sys.modules.pop("plaid_partner_insights.sandbox", None)
    with pytest.warns(DeprecationWarning, match=r"plaid_partner_insights\.testing\.emulator.*SandboxServer is Emul"):
        old = importlib.import_module("plaid_partner_insights.sandbox")
    assert len(emulator.__all__) > 10
    assert len(old.__all__) == len(emulator.__all__)
    for name in old.__all__:
        new_name = old.RENAMED.get(name, name)
        assert new_name in emulator.__all__, name
        assert getattr(old, name) is getattr(emulator, new_name), name
    assert old.SandboxServer is emulator.EmulatorServer


def test_bootstrap_errors_are_their_own_hierarchy() -> None:
    assert testing.SandboxBootstrapError.__mro__[1] is Exception
    for name in testing.__all__:
        value = getattr(testing, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            assert issubclass(value, testing.SandboxBootstrapError), name
            assert not issubclass(value, plaid_partner_insights.PartnerInsightsError), name


def test_a_bootstrap_error_survives_pickle() -> None:
    error = testing.SandboxReportTimeoutError("not ready", step="waiting", fix="wait", error_code="PRODUCT_NOT_READY")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert type(copy) is testing.SandboxReportTimeoutError
    assert (str(copy), copy.step, copy.fix, copy.error_code) == (str(error), "waiting", "wait", "PRODUCT_NOT_READY")


def test_importing_the_testing_package_loads_neither_the_emulator_nor_the_setup_flow() -> None:
    loaded = modules_loaded_by("import plaid_partner_insights.testing")
    assert sorted(m for m in loaded if m.startswith(("plaid_partner_insights.testing.", "uvicorn", "pydantic"))) == []


def test_importing_a_submodule_by_name_does_not_load_the_testing_package() -> None:
    """`from plaid_partner_insights import <submodule>` asks the package's `__getattr__` first, which knows the moved
    names from the testing package: it must tell a submodule apart without loading it."""
    assert "plaid_partner_insights.testing" not in modules_loaded_by("from plaid_partner_insights import _spec, types")


def test_an_unknown_top_level_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'bootstrap_sandbox_users'"):
        _ = plaid_partner_insights.bootstrap_sandbox_users
