"""Hypothesis settings for the fuzz tests: ``fuzz-ci`` (bounded: every fuzz test together stays
under about a minute on the 2-core CI machine) and ``fuzz-bench`` (long runs, bench/fuzz.py).

``FUZZ_PROFILE=fuzz-bench pytest tests/fuzz`` runs the long version through pytest too.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("fuzz-ci", max_examples=150, deadline=None,
                          suppress_health_check=_QUIET, print_blob=True)
settings.register_profile("fuzz-bench", max_examples=20_000, deadline=None,
                          suppress_health_check=_QUIET, print_blob=True)


def fuzz_settings(scale: float = 1.0) -> settings:
    """The chosen profile (``$FUZZ_PROFILE``, default ``fuzz-ci``); ``scale`` for a target
    that is slower (< 1) or cheaper (> 1) than most."""
    profile = settings.get_profile(os.environ.get("FUZZ_PROFILE", "fuzz-ci"))
    return settings(profile, max_examples=max(10, int(profile.max_examples * scale)))
