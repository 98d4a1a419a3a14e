"""Weight profiles are immutable and named by a digest of their content."""

import re
from dataclasses import replace

import pytest

from service.engine import Thresholds, WeightProfile
from service.engine.weights import MODEL_V1 as DEFAULT_WEIGHT_PROFILE  # model 1 stays exactly as it was
from service.engine.card import model_card
from service.engine.catalogue import (
    BUSINESS_MODELS,
    CUSTOMER_ACCESS,
    PRIORITIES,
    PRODUCT_COMPLEXITIES,
    STAGES,
    TEAM_SIZE_MAX,
)
from service.engine.weights import derive

EVIDENCE_IDS = {f"E{n}" for n in range(1, 14)}

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


def test_derive_keeps_the_base_where_nothing_is_given_and_is_complete():
    tuned = derive(DEFAULT_WEIGHT_PROFILE, id="wp_x", version=2, weights={"stage": 2.0},
                   leans={"priorities": {"security": -1.0}}, upper=0.7)
    assert tuned.weights["stage"] == 2.0 and tuned.weights["team_size"] == DEFAULT_WEIGHT_PROFILE.weights["team_size"]
    assert tuned.leans["priorities"]["security"] == -1.0
    assert tuned.leans["priorities"]["scale"] == DEFAULT_WEIGHT_PROFILE.leans["priorities"]["scale"]
    assert (tuned.thresholds.lower, tuned.thresholds.upper) == (0.4, 0.7)
    assert set(tuned.leans) == set(DEFAULT_WEIGHT_PROFILE.leans)
    assert tuned.hash != DEFAULT_WEIGHT_PROFILE.hash


def test_the_hash_names_the_numbers_not_the_id_or_version():
    same = derive(DEFAULT_WEIGHT_PROFILE, id="wp_other", version=7)
    assert same.hash == DEFAULT_WEIGHT_PROFILE.hash


def test_derive_refuses_thresholds_out_of_order():
    with pytest.raises(ValueError):
        derive(DEFAULT_WEIGHT_PROFILE, id="wp_x", version=1, lower=0.7)


def test_the_model_card_lists_every_value_of_the_contract_with_its_evidence():
    card = model_card(DEFAULT_WEIGHT_PROFILE)
    listed = {f["name"]: [v["value"] for v in f["values"]] for f in card["factors"]}
    assert listed["stage"] == list(STAGES) and listed["product_complexity"] == list(PRODUCT_COMPLEXITIES)
    assert listed["business_model"] == list(BUSINESS_MODELS) and listed["priorities"] == list(PRIORITIES)
    assert listed["customer_access"] == list(CUSTOMER_ACCESS)
    assert all(v["evidence"] and all(e in EVIDENCE_IDS for e in v["evidence"])
               for f in card["factors"] for v in f["values"])
    bands = next(f for f in card["factors"] if f["name"] == "team_size")["values"]
    assert bands[0]["min_team_size"] == 0 and bands[-1]["max_team_size"] == TEAM_SIZE_MAX
    assert all(a["max_team_size"] + 1 == b["min_team_size"] for a, b in zip(bands, bands[1:]))
    assert (card["hash"], card["version"], card["thresholds"]) == (DEFAULT_WEIGHT_PROFILE.hash, 1,
                                                                    {"lower": 0.4, "upper": 0.6})
