"""The `hiremix` command line, run in-process: the table, --json, and clear refusals."""

from __future__ import annotations

import json

import pytest

from service.console import main

SEED = ["--stage", "seed", "--team-size", "6", "--product-complexity", "low", "--business-model", "b2b_saas"]
FULL = ["--stage", "series_b", "--team-size", "40", "--product-complexity", "medium",
        "--business-model", "marketplace", "--priority", "ship_fast", "--priority", "scale",
        "--customer-access", "limited", "--planned-hires", "7", "--company-name", "Acme Analytics",
        "--external-id", "REQ-1042"]
FULL_BODY = {"stage": "series_b", "team_size": 40, "product_complexity": "medium", "business_model": "marketplace",
             "priorities": ["ship_fast", "scale"], "customer_access": "limited", "planned_hires": 7,
             "company_name": "Acme Analytics", "external_id": "REQ-1042"}


@pytest.fixture(autouse=True)
def no_server_from_the_environment(monkeypatch):
    monkeypatch.delenv("HIREMIX_URL", raising=False)
    monkeypatch.delenv("HIREMIX_KEY", raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["recommend", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def document(capsys, *argv: str) -> dict:
    status, out, _ = run(capsys, *argv, "--json")
    assert status == 0
    return json.loads(out)


def test_table_shows_the_verdict_and_every_factor(capsys):
    status, out, _ = run(capsys, *FULL)
    assert status == 0
    assert "Recommendation: both product and software engineers" in out
    for factor in document(capsys, *FULL)["factors"]:
        assert any(line.startswith(factor["factor"] + " ") for line in out.splitlines())


def test_table_shows_the_share_as_a_percentage_and_a_bar(capsys):
    out = run(capsys, *SEED)[1]
    share = document(capsys, *SEED)["scores"]["product_engineers"]
    assert f"Product engineer share {share:.0%}  product [" in out


def test_table_shows_the_headcount_split_of_planned_hires(capsys):
    headcount = document(capsys, *FULL)["headcount"]
    out = run(capsys, *FULL)[1]
    split = next(line for line in out.splitlines() if line.startswith("Planned hires 7: "))
    assert f" {headcount['product_engineers']} product engineer" in split
    assert f" {headcount['software_engineers']} software engineer" in split


def test_table_has_no_headcount_without_planned_hires(capsys):
    assert "Planned hires" not in run(capsys, *SEED)[1]


def test_table_lists_what_would_change_it(capsys):
    changes = document(capsys, *FULL)["what_would_change"]
    out = run(capsys, *FULL)[1]
    assert changes
    assert "What would change it:" in out
    for change in changes:
        assert f"- {change['factor']}: " in out


def test_table_carries_the_summary(capsys):
    summary = document(capsys, *FULL)["summary"]
    out = run(capsys, *FULL)[1]
    assert " ".join(out.split()).count(summary) == 1


def test_table_fits_in_100_columns(capsys):
    out = run(capsys, *FULL, "--priority", "innovation", "--priority", "security", "--priority", "growth")[1]
    assert max(len(line) for line in out.splitlines()) <= 100


def test_json_is_the_document_the_preview_endpoint_returns(capsys, client):
    answer = client.post("/v1/recommendations/preview", json=FULL_BODY)
    assert answer.status_code == 200
    assert document(capsys, *FULL) == answer.get_json()


def test_json_of_a_minimal_profile_is_the_preview_document(capsys, client):
    answer = client.post("/v1/recommendations/preview",
                         json={"stage": "seed", "team_size": 6, "product_complexity": "low",
                               "business_model": "b2b_saas"})
    assert document(capsys, *SEED) == answer.get_json()


def test_unknown_choice_exits_2_naming_the_option(capsys):
    status, _, err = run(capsys, *SEED, "--business-model", "lemonade_stand")
    assert status == 2
    assert "--business-model" in err and "usage:" in err


def test_a_non_number_exits_2_naming_the_option(capsys):
    status, _, err = run(capsys, *SEED, "--planned-hires", "four")
    assert status == 2
    assert "argument --planned-hires: invalid int value: 'four'" in err


def test_a_missing_required_option_exits_2(capsys):
    status, _, err = run(capsys, "--stage", "seed", "--team-size", "6", "--business-model", "b2b_saas")
    assert status == 2
    assert "--product-complexity" in err


def test_an_out_of_range_value_is_reported_as_the_option(capsys):
    status, out, err = run(capsys, *SEED, "--team-size", "-3")
    assert status == 2
    assert "--team-size: Must be between 0 and 1,000,000." in err.splitlines()
    assert out == ""


def test_every_invalid_field_is_reported(capsys):
    status, _, err = run(capsys, *SEED, "--priority", "growth", "--priority", "growth", "--planned-hires", "0",
                         "--company-name", " ")
    assert status == 2
    lines = err.splitlines()
    assert "--priority: 'growth' is given more than once." in lines
    assert "--planned-hires: Must be between 1 and 10,000." in lines
    assert "--company-name: Must contain more than white space." in lines


@pytest.mark.parametrize("option", [["--weight-profile-id", "wp_custom"], ["--weight-profile-version", "2"]])
def test_weight_profile_options_need_api(capsys, option):
    status, out, err = run(capsys, *SEED, *option)
    assert status == 2
    assert f"{option[0]} only makes sense with --api" in err
    assert out == ""


def test_store_needs_api(capsys):
    status, _, err = run(capsys, *SEED, "--store")
    assert status == 2
    assert "--store only makes sense with --api" in err


def test_api_needs_a_key(capsys):
    status, _, err = run(capsys, *SEED, "--api", "http://127.0.0.1:9")
    assert status == 2
    assert "--api needs an API key" in err


def test_api_must_be_a_url(capsys):
    status, _, err = run(capsys, *SEED, "--api", "127.0.0.1:8000", "--key", "hk_test_x")
    assert status == 2
    assert "--api: expected a URL" in err


def test_help_exits_0(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "--weight-profile-id" in out


def test_no_command_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["--api", "http://127.0.0.1:9", "--key", "hk_test_x", "--timeout", "-1"], "--timeout must be a number"),
    (["--api", "http://user:secretpw@127.0.0.1:9", "--key", "hk_test_x"], "leave user and password out"),
    (["--api", "http://127.0.0.1:9", "--key", "hk_test_SECRET\r\nX-Injected: 1"], "no key has"),
])
def test_bad_server_options_exit_2_without_echoing_secrets(capsys, argv, message):
    status, out, err = run(capsys, *SEED, *argv)
    assert status == 2 and message in err
    assert "secretpw" not in out + err and "SECRET" not in out + err
