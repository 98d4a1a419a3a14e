"""Weight profiles are immutable and named by a digest of their content."""

import re
from dataclasses import replace

import pytest

from service.engine import DEFAULT_WEIGHT_PROFILE, Thresholds, WeightProfile

# Changing the built-in weights must come with a new version: update both on purpose.
DEFAULT_V1_HASH = "sha256:e7eeeb22f5abb8733270ba6a71fdaccbefbe59ad58c8fbb11d805e599134793d"


def test_the_built_in_profile_is_wp_default_version_1():
    assert (DEFAULT_WEIGHT_PROFILE.id, DEFAULT_WEIGHT_PROFILE.version) == ("wp_default", 1)


def test_the_built_in_weights_are_pinned_to_their_hash():
    assert DEFAULT_WEIGHT_PROFILE.hash == DEFAULT_V1_HASH


def test_hash_is_a_sha256_digest():
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", DEFAULT_WEIGHT_PROFILE.hash)


def test_equal_content_gives_an_equal_hash_whatever_the_name():
    copy = WeightProfile("wp_other", 7, dict(DEFAULT_WEIGHT_PROFILE.weights), DEFAULT_WEIGHT_PROFILE.leans)
    assert copy.hash == DEFAULT_WEIGHT_PROFILE.hash


def test_any_change_of_weight_lean_or_threshold_changes_the_hash():
    base = DEFAULT_WEIGHT_PROFILE
    weights = {**base.weights, "stage": 1.0}
    leans = {**base.leans, "stage": {**base.leans["stage"], "seed": 0.8}}
    variants = [
        WeightProfile(base.id, 1, weights, base.leans),
        WeightProfile(base.id, 1, base.weights, leans),
        WeightProfile(base.id, 1, base.weights, base.leans, Thresholds(0.35, 0.65)),
    ]
    assert len({v.hash for v in variants} | {base.hash}) == 4


def test_a_profile_cannot_be_changed_after_creation():
    with pytest.raises(TypeError):
        DEFAULT_WEIGHT_PROFILE.weights["stage"] = 5.0
    with pytest.raises(ValueError):
        replace(DEFAULT_WEIGHT_PROFILE, hash="sha256:forged")
