"""Requisition-ready role profiles, and when growth engineers are worth a look.

The traits are our own restatement of those evidence.md lists for each kind
of engineer; each profile adapts its title, responsibilities and interview
focus to the company's stage, size, business model, complexity, customer
access and priorities, so a seed-stage B2B SaaS product engineer reads
differently from a public enterprise-platform software engineer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from service.engine.catalogue import STAGES, team_size_band
from service.engine.model import BOTH, PRODUCT, SOFTWARE, CompanyProfile
from service.engine.narrative import BUSINESS_NOUN, STAGE_ADJECTIVE, engineers
from service.engine.records import quick_init

_LATE = set(STAGES[STAGES.index("series_c"):])
_EARLY = {"pre_seed", "seed"}
_LARGE_BANDS = {"large", "very_large", "huge"}

DOMAIN = {
    "b2b_saas": "B2B SaaS",
    "consumer_subscription": "Subscriptions",
    "consumer": "Consumer",
    "marketplace": "Marketplace",
    "developer_tools": "Developer Tools",
    "data_platform": "Data Platform",
    "enterprise_platform": "Enterprise Platform",
    "other": None,
}


@quick_init
@dataclass(frozen=True)
class RoleProfile:
    role: str
    title: str
    summary: str
    responsibilities: tuple[str, ...]
    traits: tuple[str, ...]
    interview_focus: tuple[str, ...]
    scorecard: tuple | None = None  # model 2: this role's own scorecard items
    hires: int | None = None  # model 2: how many of the planned hires are this role


def role_profiles(profile: CompanyProfile, recommendation: str) -> tuple[RoleProfile, ...]:
    """Model 1: one profile per recommended role, both of them when the answer is `both`."""
    roles = {PRODUCT: (PRODUCT,), SOFTWARE: (SOFTWARE,), BOTH: (PRODUCT, SOFTWARE)}[recommendation]
    return tuple(_role_profile(profile, role) for role in roles)


def roles_to_open(recommendation: str, headcount) -> tuple[str, ...]:
    """Model 2: every role that gets at least one of the planned hires; without planned hires, the
    recommended roles (both of them for `both`). The verdict's role comes first."""
    if headcount is None:
        return {PRODUCT: (PRODUCT,), SOFTWARE: (SOFTWARE,), BOTH: (PRODUCT, SOFTWARE)}[recommendation]
    counts = {PRODUCT: headcount.product_engineers, SOFTWARE: headcount.software_engineers}
    order = (SOFTWARE, PRODUCT) if recommendation == SOFTWARE else (PRODUCT, SOFTWARE)
    return tuple(role for role in order if counts[role] > 0)


def role_profiles_v2(profile: CompanyProfile, recommendation: str, headcount, scorecards) -> tuple[RoleProfile, ...]:
    """Model 2: a profile, with its own scorecard, for every role that gets hires (see roles_to_open)."""
    made = []
    for role in roles_to_open(recommendation, headcount):
        hires = None if headcount is None else \
            headcount.product_engineers if role == PRODUCT else headcount.software_engineers
        made.append(_role_profile(profile, role, scorecards(role), hires))
    return tuple(made)


def growth_engineering(profile: CompanyProfile) -> str | None:
    """One sentence when the priority `growth` makes growth engineers worth considering (E11)."""
    if "growth" not in profile.priorities:
        return None
    metrics = {
        "consumer_subscription": "trial conversion, subscriptions and churn",
        "b2b_saas": "sign-ups, activation and expansion revenue",
        "marketplace": "new buyers and sellers and completed transactions",
    }.get(profile.business_model, "sign-ups, activation and revenue")
    return (
        "Since growth is a priority, consider adding a growth engineer: someone with a product engineer's "
        f"instincts who works across the whole company on metrics such as {metrics}."
    )


def _role_profile(profile: CompanyProfile, role: str, scorecard: tuple | None = None,
                  hires: int | None = None) -> RoleProfile:
    """The profile of one role for this company; its texts depend on a few of the profile's values only."""
    band = team_size_band(profile.team_size)
    if role == PRODUCT:
        texts = _product_texts(profile.stage, band, profile.business_model, profile.customer_access,
                               "ship_fast" in profile.priorities, "growth" in profile.priorities)
        return RoleProfile(PRODUCT, *texts, scorecard, hires)
    title, summary, responsibilities, traits, focus = _software_texts(
        profile.stage, band, profile.product_complexity, profile.business_model, _specialist_need(profile))
    return RoleProfile(SOFTWARE, title, summary, responsibilities, traits, (_system_design(profile.team_size), *focus),
                       scorecard, hires)


@lru_cache(maxsize=2048, typed=True)  # team sizes recur
def _system_design(team_size: int) -> str:
    """The software engineer's first interview focus, which names the size of the team."""
    scale = "a product that has no engineering team yet" if team_size == 0 else f"a team of {engineers(team_size)}"
    return f"System design for the product's hardest technical area, at the scale of {scale}."


def _company(stage: str, business_model: str) -> str:
    return f"a {STAGE_ADJECTIVE[stage]} {BUSINESS_NOUN[business_model]}"


def _titled(base: str, business_model: str) -> str:
    domain = DOMAIN[business_model]
    return f"{base}, {domain}" if domain else base


@cache  # at most 7 stages x 6 bands x 8 business models x 4 customer accesses x 2 x 2
def _product_texts(stage: str, band: str, business_model: str, customer_access: str | None, ship_fast: bool,
                   growth: bool) -> tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(title, summary, responsibilities, traits, interview focus) of the product engineer's profile: they
    depend only on these values of the company profile, so each combination is written once."""
    if band == "first_hire" or (stage in _EARLY and band == "small"):
        base = "Founding Product Engineer"
        setting = "as one of the first engineers, owning whole product areas end to end"
    elif stage in _LATE or band in _LARGE_BANDS:
        base = "Product Engineer, New Bets"
        setting = "in a small, autonomous team that tries new ideas beside the established product"
    else:
        base = "Product Engineer"
        setting = "owning a product area and its results"
    summary = (
        f"Join {_company(stage, business_model)} {setting}. You will talk to customers, decide with them what to "
        "build, ship it quickly and judge the work by what it changes for users and the business."
    )
    responsibilities = [
        "Take a product area from the first customer conversation to the shipped change, then check whether it worked.",
        "Turn usage data, support tickets and customer interviews into a short, ranked list of bets.",
        "Prototype, release behind feature flags and run experiments instead of waiting for a perfect design.",
        "Keep the area's roadmap together with design and the business side.",
    ]
    responsibilities.append({
        "direct": "Join customer calls and user interviews every week.",
        "limited": "Make the most of the customer contact there is: sit in on sales and support calls.",
        "none": "Work from usage data, support tickets and the colleagues who meet customers, as engineers have no "
                "direct customer contact yet.",
        None: "Build direct lines to customers: interviews, calls and feedback sessions.",
    }[customer_access])
    responsibilities.extend(_product_context(business_model, ship_fast, growth))
    traits = [
        "Obsessed with customers: seeks out users and listens closely.",
        "Measures success by outcomes and impact rather than output.",
        "Flexible about how a thing is built as long as it solves the problem.",
        "Comfortable owning a roadmap and deciding with incomplete information.",
        "Likes prototypes and experiments as a way to learn quickly.",
    ]
    if ship_fast:
        traits.append("Has a record of shipping small increments often.")
    focus = [
        "A product decision they drove from a user insight to a shipped result, and how they measured it.",
        "Work sample: scope and prototype a small feature from a vague customer request.",
        "How they use data and customer conversations to decide what not to build.",
    ]
    if growth:
        focus.append("An experiment on a growth metric: the hypothesis, the result and what they did next.")
    if business_model == "b2b_saas":
        focus.append("How they learn the workflow of a business customer they have never met.")
    return _titled(base, business_model), summary, tuple(responsibilities), tuple(traits), tuple(focus)


def _product_context(business_model: str, ship_fast: bool, growth: bool) -> list[str]:
    lines = {
        "b2b_saas": "Work with customer admins and account teams to understand the workflows the product supports.",
        "consumer_subscription": "Watch activation, retention and churn, and ship the changes that keep subscribers.",
        "consumer": "Follow engagement closely and keep iterating on the experience.",
        "marketplace": "Weigh the needs of both sides of the marketplace in every change.",
        "developer_tools": "Use the product the way its developers do and remove friction in the API, docs and "
                           "onboarding.",
        "data_platform": "Shape product changes together with the specialists who own the core data systems.",
        "enterprise_platform": "Shape product changes together with the specialists who own the platform's core "
                               "systems.",
        "other": None,
    }
    chosen = [lines[business_model]] if lines[business_model] else []
    if growth:
        chosen.append("Own growth metrics such as sign-ups, activation and revenue for the area.")
    if ship_fast:
        chosen.append("Keep cycle times short: small changes, released often.")
    return chosen


@cache  # at most 7 stages x 6 bands x 4 complexities x 8 business models x 4 needs
def _software_texts(stage: str, band: str, product_complexity: str, business_model: str,
                    need: str | None) -> tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(title, summary, responsibilities, traits, interview focus but its first line, which names the team
    size) of the software engineer's profile, written once per combination of these values."""
    specialism, focus_line, duty = _specialism(need, business_model, product_complexity)
    senior = "Senior " if product_complexity == "very_high" or band in _LARGE_BANDS else ""
    base = "Founding Software Engineer" if band == "first_hire" else f"{senior}Software Engineer"
    title = f"{base}, {specialism}" if specialism else _titled(base, business_model)
    where = {"first_hire": "as the first engineer", "small": "in a small team"}.get(band, "in a growing engineering "
                                                                                          "organisation")
    summary = (
        f"Join {_company(stage, business_model)} {where} to build and look after the systems the product depends "
        "on. You will solve the hard technical problems, keep the system fast, secure and reliable as it grows, and "
        "set the standard for how code is written."
    )
    responsibilities = [
        "Design and build core systems with correctness and performance in mind.",
        "Find and remove the bottlenecks, failure modes and technical debt that slow the product down.",
        "Uphold engineering practice through code review, tests and documentation.",
        "Go deep in one area of the stack and become the team's reference for it.",
    ]
    if duty:
        responsibilities.append(duty)
    if product_complexity in ("high", "very_high"):
        responsibilities.append("Break hard technical problems into designs that other engineers can build on.")
    if band in _LARGE_BANDS:
        responsibilities.append("Work across teams to keep shared systems coherent as the organisation grows.")
    traits = [
        "Enjoys difficult technical problems and stays with them until they are solved.",
        "Optimises systems and processes, and measures before changing them.",
        "Writes clean, secure and well-tested code.",
        "Weighs security, risk and scaling in every change.",
        "Has deep expertise in at least one area of technology.",
        "Reads documentation and source code to get to the bottom of things.",
    ]
    focus = [
        "A deep dive into a system they optimised: what they measured, what they changed, what it gained.",
        "A code review exercise that looks for correctness, security and maintainability problems.",
    ]
    if focus_line:
        focus.append(focus_line)
    return title, summary, tuple(responsibilities), tuple(traits), tuple(focus)


_SPECIALIST_NEEDS = ("security", "scale", "reliability")  # strongest first


def _specialist_need(profile: CompanyProfile) -> str | None:
    """The first of the priorities that call for a specialist, strongest first; None when none is given."""
    priorities = profile.priorities
    for need in _SPECIALIST_NEEDS:
        if need in priorities:
            return need
    return None


def _specialism(need: str | None, business_model: str,
                product_complexity: str) -> tuple[str | None, str | None, str | None]:
    """(title suffix, extra interview focus, extra responsibility), from the strongest specialist need."""
    if need == "security":
        return ("Security", "Threat modelling of a new feature: what could go wrong and what they would do about it.",
                "Threat-model new features and keep dependencies, secrets and access under control.")
    if need == "scale":
        return ("Scalability", "How they would take the busiest part of a system to ten times its load.",
                "Plan capacity and make the system carry much more load without a rewrite.")
    if need == "reliability":
        return ("Reliability", "An incident they led: how it was found, fixed and prevented from happening again.",
                "Define service levels, improve monitoring and lead incident reviews.")
    if business_model == "data_platform":
        return ("Data Systems", "Designing a data pipeline that stays correct when its inputs are late or wrong.",
                "Own data pipelines, storage and query performance.")
    if business_model == "enterprise_platform":
        return ("Platform", "Meeting an enterprise customer's demands for uptime, audit trails and integrations.",
                "Meet enterprise demands for uptime, auditability and integrations.")
    if product_complexity in ("high", "very_high"):
        return ("Backend Systems", None, None)
    return None, None, None
