"""The `hiremix` command line, run in-process: the table at any width, --json, choices in any form, clear
refusals (the error first), and the questions of the interactive mode."""

from __future__ import annotations

import json

import pytest

from service import console
from service.console import Stop, ask_profile, choice, main, render, terminal_width
from service.engine.wording import VALUES, label

SEED = ["--stage", "seed", "--team-size", "6", "--product-complexity", "low", "--business-model", "b2b_saas"]
FULL = ["--stage", "series_b", "--team-size", "40", "--product-complexity", "medium",
        "--business-model", "marketplace", "--priority", "ship_fast", "--priority", "scale",
        "--customer-access", "limited", "--planned-hires", "7", "--company-name", "Acme Analytics",
        "--external-id", "REQ-1042"]
FULL_BODY = {"stage": "series_b", "team_size": 40, "product_complexity": "medium", "business_model": "marketplace",
             "priorities": ["ship_fast", "scale"], "customer_access": "limited", "planned_hires": 7,
             "company_name": "Acme Analytics", "external_id": "REQ-1042"}


# Large, late, and wanting speed and innovation: both interactions, long values in words.
LONG = ["--stage", "growth", "--team-size", "800", "--product-complexity", "very_high", "--business-model",
        "consumer_subscription", "--priority", "ship_fast", "--priority", "innovation", "--priority", "security",
        "--customer-access", "limited", "--planned-hires", "5", "--company-name", "Acme Analytics"]


@pytest.fixture(autouse=True)
def no_server_from_the_environment(monkeypatch):
    monkeypatch.delenv("HIREMIX_URL", raising=False)
    monkeypatch.delenv("HIREMIX_KEY", raising=False)


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    """Output to a pipe, whatever runs the tests (pytest -s at a terminal included): 100 columns, no questions."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(console, "_is_terminal", lambda stream: False)


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
        assert any(line.startswith(label(factor["factor"]) + " ") for line in out.splitlines())


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
        assert f"- {label(change['factor'])}: " in out


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


def test_unknown_choice_exits_2_with_the_error_first_listing_the_choices(capsys):
    status, _, err = run(capsys, *SEED, "--business-model", "lemonade stand")
    assert status == 2
    assert err.splitlines() == [
        ("hiremix recommend: error: --business-model: 'lemonade stand' is not one of: b2b_saas, "
         "consumer_subscription, consumer, marketplace, developer_tools, data_platform, enterprise_platform, other"),
        "Run 'hiremix recommend --help' for every option."]


def test_a_non_number_exits_2_naming_the_option_first(capsys):
    status, _, err = run(capsys, *SEED, "--planned-hires", "four")
    assert status == 2
    assert err.splitlines()[0] == "hiremix recommend: error: --planned-hires: 'four' is not a whole number"


def test_a_missing_required_option_exits_2_with_the_error_first(capsys):
    status, out, err = run(capsys, "--stage", "seed", "--team-size", "6", "--business-model", "b2b_saas")
    assert status == 2 and out == ""
    assert err.splitlines()[0] == "hiremix recommend: error: the following arguments are required: " \
                                  "--product-complexity"


def test_a_usage_error_prints_no_usage_block(capsys):
    err = run(capsys, *SEED, "--stage", "series z")[2]
    assert "usage:" not in err and len(err.splitlines()) == 2


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
    assert capsys.readouterr().err.startswith("hiremix: error: the following arguments are required: COMMAND\n")


@pytest.mark.parametrize(("argv", "message"), [
    (["--api", "http://127.0.0.1:9", "--key", "hk_test_x", "--timeout", "-1"], "--timeout must be a number"),
    (["--api", "http://user:secretpw@127.0.0.1:9", "--key", "hk_test_x"], "leave user and password out"),
    (["--api", "http://127.0.0.1:9", "--key", "hk_test_SECRET\r\nX-Injected: 1"], "no key has"),
])
def test_bad_server_options_exit_2_without_echoing_secrets(capsys, argv, message):
    status, out, err = run(capsys, *SEED, *argv)
    assert status == 2 and message in err
    assert "secretpw" not in out + err and "SECRET" not in out + err


# The terminal's width.


@pytest.mark.parametrize("columns", [60, 80])
def test_no_line_is_wider_than_the_terminal(capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    for profile in (FULL, LONG):
        out = run(capsys, *profile)[1]
        assert max(len(line) for line in out.splitlines()) <= columns, out


@pytest.mark.parametrize("profile", [SEED, FULL, LONG])
def test_no_word_of_the_summary_or_the_reasons_is_cut_at_any_width(capsys, profile):
    answer = document(capsys, *profile)
    texts = [answer["summary"], *(term["reason"] for term in answer["factors"] + answer["interactions"])]
    for width in range(60, 121):  # every width: a line ends on a hyphen or a long word at some of them
        words_shown = {word for line in render(answer, width).splitlines() for word in line.split()}
        for text in texts:
            assert set(text.split()) <= words_shown, (width, text)


def test_a_word_wider_than_the_terminal_stays_whole(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    name = "Hyper" + "scale" * 13
    out = run(capsys, *SEED, "--company-name", name)[1]
    assert any(name in line.split() or name + "," in line.split() for line in out.splitlines())


@pytest.mark.parametrize("columns", [60, 80])
def test_values_in_words_stay_whole_in_a_narrow_table(capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    out = run(capsys, *LONG)[1]
    words_shown = {word for line in out.splitlines() for word in line.split()}
    assert {"Growth", "(after", "Series", "C)", "Consumer", "subscription", "Very", "high"} <= words_shown


def test_the_verdict_is_the_first_line_and_the_last(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = run(capsys, *FULL)[1].splitlines()
    assert lines[0] == lines[-1] == "Recommendation: both product and software engineers"


def test_the_table_shows_values_in_words(capsys):
    rows = run(capsys, *FULL)[1].splitlines()
    assert any(row.startswith("Company stage") and " Series B " in row for row in rows)
    assert any(row.startswith("Priorities") and " Ship fast, Scale " in row for row in rows)


def test_a_narrow_table_drops_the_bar_not_the_numbers(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = run(capsys, *FULL)[1]
    assert "software|product" not in out and "|#" not in out
    assert "Pull" in out


@pytest.mark.parametrize(("columns", "width"), [("80", 80), ("60", 60), ("30", 60), ("500", 120), ("x", 100)])
def test_the_width_follows_columns_within_bounds(monkeypatch, columns, width):
    monkeypatch.setenv("COLUMNS", columns)
    assert terminal_width() == width


def test_output_to_a_pipe_is_100_columns_wide():
    assert terminal_width() == 100


def test_render_never_goes_below_the_narrowest_width(capsys):
    table = render(document(capsys, *LONG), width=20)
    assert max(len(line) for line in table.splitlines()) <= 60


# Choices in any form.


@pytest.mark.parametrize(("field", "typed", "code"), [
    ("stage", "Series-A", "series_a"),
    ("stage", "series a", "series_a"),
    ("stage", "SERIES_A", "series_a"),
    ("stage", "  pre seed ", "pre_seed"),
    ("stage", "Public company", "public"),
    ("stage", "Growth (after Series C)", "growth"),
    ("business_model", "B2B SaaS", "b2b_saas"),
    ("business_model", "b2b-saas", "b2b_saas"),
    ("business_model", "Developer tools", "developer_tools"),
    ("business_model", "Something else", "other"),
    ("product_complexity", "very high", "very_high"),
    ("product_complexity", "Very-High", "very_high"),
    ("priorities", "Ship Fast", "ship_fast"),
    ("customer_access", "DIRECT", "direct"),
    ("customer_access", "None: engineers never meet customers", "none"),
])
def test_a_choice_is_read_in_any_case_with_spaces_or_hyphens(field, typed, code):
    assert choice(field, typed) == code


@pytest.mark.parametrize("field", list(VALUES))
def test_every_code_and_its_words_read_back_as_that_code(field):
    for code, words in VALUES[field].items():
        assert choice(field, code) == choice(field, words) == code


@pytest.mark.parametrize("typed", ["series z", "seriesa", "", "a"])
def test_an_unknown_choice_is_refused(typed):
    with pytest.raises(ValueError, match="is not one of: pre_seed, seed, series_a"):
        choice("stage", typed)


def test_options_take_choices_in_any_form(capsys):
    profile = document(capsys, "--stage", "Series-A", "--team-size", "6", "--product-complexity", "Very High",
                       "--business-model", "b2b-saas", "--priority", "SHIP FAST", "--priority", "Reliability",
                       "--customer-access", "Limited")["profile"]
    assert (profile["stage"], profile["product_complexity"], profile["business_model"]) == \
        ("series_a", "very_high", "b2b_saas")
    assert profile["priorities"] == ["ship_fast", "reliability"] and profile["customer_access"] == "limited"


# Questions, when a person runs `hiremix recommend` at a terminal without profile options.


def answering(*lines: str):
    """An `ask` that types `lines` in turn (EOFError after the last), and the questions it was asked."""
    typed, asked = iter(lines), []

    def ask(question: str) -> str:
        asked.append(question)
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None
    return ask, asked


def test_answers_by_number_and_in_words_make_the_profile():
    ask, _ = answering("3", "25", "high", "B2B-SaaS", "1, reliability", "1", "5", "Acme", "")
    assert ask_profile(ask, say=lambda line: None) == {
        "stage": "series_a", "team_size": 25, "product_complexity": "high", "business_model": "b2b_saas",
        "priorities": ["ship_fast", "reliability"], "customer_access": "direct", "planned_hires": 5,
        "company_name": "Acme"}


def test_enter_skips_every_optional_question():
    ask, asked = answering("seed", "6", "low", "b2b saas", "", "", "", "", "")
    assert ask_profile(ask, say=lambda line: None) == {
        "stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas"}
    assert len(asked) == 9


def test_each_question_shows_its_label_help_and_choices_in_words():
    shown = []
    ask, asked = answering("seed", "6", "low", "b2b saas", "", "", "", "", "")
    ask_profile(ask, say=shown.append)
    assert "Company stage: The last funding round, or where the company stands today." in shown
    assert "   3. Series A" in shown and "   1. B2B SaaS" in shown
    assert asked[0] == "Company stage [1-7]: "
    assert asked[4] == "Priorities [1-6, several with commas; Enter for none]: "


@pytest.mark.parametrize(("field_answers", "reason"), [
    (["9"], "9 is not on the list: pick a number from 1 to 7."),
    (["series z"], "'series z' is not on the list: pick a number from 1 to 7."),
    ([""], "This one needs an answer."),
    (["seed", "-3"], "Must be between 0 and 1,000,000."),
    (["seed", "six"], "'six' is not a whole number."),
    (["seed", "6", "low", "other", "1, 1"], "'ship_fast' is given more than once."),
    (["seed", "6", "low", "other", "", "", "0"], "Must be between 1 and 10,000."),
])
def test_a_bad_answer_is_asked_again_with_its_reason(field_answers, reason):
    shown = []
    ask, asked = answering(*field_answers)
    with pytest.raises(Stop):  # the answers run out after the bad one
        ask_profile(ask, say=shown.append)
    assert f"  {reason}" in shown
    assert asked[-1] == asked[-2]  # the same question again


def test_the_end_of_the_input_stops_with_exit_1():
    ask, _ = answering("seed")
    with pytest.raises(Stop) as stop:
        ask_profile(ask, say=lambda line: None)
    assert stop.value.status == 1


def test_questions_fit_the_width():
    shown = []
    ask, asked = answering("seed", "6", "low", "b2b saas", "", "", "", "", "")
    ask_profile(ask, say=shown.append, width=60)
    assert max(map(len, shown + asked)) <= 60


def at_a_terminal(monkeypatch, *lines: str):
    monkeypatch.setattr(console, "_is_terminal", lambda stream: True)
    monkeypatch.setenv("COLUMNS", "80")
    ask, _ = answering(*lines)
    monkeypatch.setattr("builtins.input", ask)


def test_at_a_terminal_without_options_it_asks_then_answers(capsys, monkeypatch):
    at_a_terminal(monkeypatch, "4", "40", "medium", "marketplace", "ship fast, scale", "limited", "7", "", "")
    status, out, err = run(capsys)
    assert status == 0 and err == ""
    questions, table = out.split("\n\nRecommendation: ", 1)
    assert "Company stage: " in questions and "Requisition id: " in questions
    assert table.startswith("both product and software engineers\n")


def test_at_a_terminal_with_some_options_it_asks_nothing(capsys, monkeypatch):
    at_a_terminal(monkeypatch)
    status, _, err = run(capsys, "--stage", "seed")
    assert status == 2 and err.startswith("hiremix recommend: error: the following arguments are required: ")


def test_ctrl_c_at_a_question_exits_130_without_a_traceback(capsys, monkeypatch):
    at_a_terminal(monkeypatch)

    def interrupted(question):
        raise KeyboardInterrupt
    monkeypatch.setattr("builtins.input", interrupted)
    status, _, err = run(capsys)
    assert status == 130 and "Traceback" not in err


def test_ctrl_d_at_a_question_exits_1_in_one_line(capsys, monkeypatch):
    at_a_terminal(monkeypatch, "seed")
    status, _, err = run(capsys)
    assert status == 1
    assert err == "hiremix: the input ended before the last question; nothing was evaluated\n"
