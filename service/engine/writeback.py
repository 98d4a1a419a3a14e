"""ATS write-back: scorecard items and a plain-text note, ready to store as they are.

Ratings use the Greenhouse scorecard scale and rate each factor for product
engineering fit: the more a factor pulls toward product engineers, the higher.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from service.engine.model import BOTH, PRODUCT, CompanyProfile, Contribution, Evaluation
from service.engine.narrative import percent
from service.engine.records import quick_init

RATINGS = ("definitely_not", "no", "mixed", "yes", "strong_yes")
NOTE_LIMIT = 2000
SCORECARD_NAMES = {
    "stage": "Company stage",
    "team_size": "Engineering team size",
    "product_complexity": "Product complexity",
    "business_model": "Business model",
    "priorities": "Hiring priorities",
    "customer_access": "Customer access",
}
_VERDICT = {
    PRODUCT: "product engineers",
    BOTH: "a mix of product and software engineers",
    "software_engineers": "software engineers",
}


@quick_init
@dataclass(frozen=True)
class ScorecardItem:
    name: str
    rating: str
    note: str
    factor: str = ""  # the factor's key, stable across languages and versions


def rating(contribution: float) -> str:
    """Product engineering fit of one factor, from its signed log-odds contribution."""
    if contribution >= 0.75:
        return "strong_yes"
    if contribution >= 0.25:
        return "yes"
    if contribution > -0.25:
        return "mixed"
    if contribution > -0.75:
        return "no"
    return "definitely_not"


NOT_GIVEN = {
    "priorities": "No priorities were given, so they do not count either way.",
    "customer_access": "Customer access was not given, so it does not count either way.",
}


def scorecard(factors: tuple[Contribution, ...]) -> tuple[ScorecardItem, ...]:
    """One item per factor of the model; a factor the profile left out is rated mixed and says so."""
    counted = {f.factor: f for f in factors}
    items = []
    for name in SCORECARD_NAMES:
        if name in counted:
            items.append(_item(name, counted[name].contribution, counted[name].reason))
        else:
            items.append(_NOT_GIVEN_ITEMS[name])
    return tuple(items)


def scorecard_for(factors: tuple[Contribution, ...], role: str = PRODUCT) -> tuple[ScorecardItem, ...]:
    """Model 2: one item per factor that counted, in the order of `factors`, rated for fit with `role`:
    a factor that pulls toward the requisition's own role rates high, one that pulls away rates low."""
    if role == PRODUCT:
        return tuple([_item(f.factor, f.contribution, f.reason) for f in factors])
    return tuple([_item(f.factor, -1.0 * f.contribution, f.reason) for f in factors])


@lru_cache(maxsize=4096)  # items are immutable, so a document can share them; team sizes make many reasons
def _item(factor: str, fit: float, reason: str) -> ScorecardItem:
    """The scorecard item of a factor whose contribution, signed toward the requisition's role, is `fit`."""
    return ScorecardItem(SCORECARD_NAMES[factor], rating(fit), reason, factor)


_NOT_GIVEN_ITEMS = {name: ScorecardItem(SCORECARD_NAMES[name], "mixed", reason, name)
                    for name, reason in NOT_GIVEN.items()}


_FIRST = itemgetter(0)


def note_text(profile: CompanyProfile, evaluation: Evaluation, growth: str | None) -> str:
    """Plain text for an ATS note field, at most 2,000 characters."""
    who = f" for {profile.company_name}" if profile.company_name else ""
    head = [
        f"hiremix recommendation{who}: {_VERDICT[evaluation.recommendation]}.",
        (f"Product engineer share {percent(evaluation.product_engineer_share)}, "
        f"confidence {evaluation.confidence:.2f}."),
    ]
    if evaluation.headcount is not None:
        count = evaluation.headcount
        head.append(f"Planned hires: {count.product_engineers} product, {count.software_engineers} software.")
    model = evaluation.model
    tail = [_model_line(model.weight_profile_id, model.version, model.hash)]
    if growth:
        tail.insert(0, growth)
    # model 2's interactions are reasons too; strongest first, ties in factor order
    pulls = [(-abs(f.contribution), f.reason) for f in (*evaluation.factors, *evaluation.interactions)]
    pulls.sort(key=_FIRST)
    reasons = [f"- {reason}" for _strength, reason in pulls]
    while True:
        text = "\n".join(head + ["", "Why:"] + reasons + [""] + tail)
        if len(text) <= NOTE_LIMIT or not reasons:
            return text[:NOTE_LIMIT]
        reasons.pop()  # the weakest reason goes first


@lru_cache(maxsize=64, typed=True)  # one line per weight profile
def _model_line(weight_profile_id: str, version: int, digest: str) -> str:
    return f"Model: {weight_profile_id} v{version} ({digest[:19]})."
