"""Plain sentences for results: the priorities' reason and the summary."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING

from service.engine.catalogue import FACTORS_BY_NAME, V2_PRIORITY_REASONS

if TYPE_CHECKING:  # pragma: no cover
    from service.engine.model import CompanyProfile, Contribution, Headcount

STAGE_ADJECTIVE = {
    "pre_seed": "pre-seed",
    "seed": "seed-stage",
    "series_a": "Series A",
    "series_b": "Series B",
    "series_c": "Series C",
    "growth": "growth-stage",
    "public": "public",
}
BUSINESS_NOUN = {
    "b2b_saas": "B2B SaaS company",
    "consumer_subscription": "consumer subscription company",
    "consumer": "consumer company",
    "marketplace": "marketplace",
    "developer_tools": "developer tools company",
    "data_platform": "data platform company",
    "enterprise_platform": "enterprise platform company",
    "other": "company",
}
PRIORITY_WORDS = {
    "ship_fast": "shipping fast",
    "innovation": "innovation",
    "growth": "growth",
    "scale": "scale",
    "reliability": "reliability",
    "security": "security",
}


INTERACTION_PHRASES = {
    "large_team_wants_speed": "wanting to {wishes} at this size",
    "late_stage_innovation": "wanting to innovate at this stage",
}
WISHES = {"ship_fast": "ship fast", "innovation": "innovate"}
ROLE_NOUNS = {"product_engineers": "product engineers", "software_engineers": "software engineers"}


@lru_cache(maxsize=2048, typed=True)  # team sizes recur; the thousands separator makes this a dear text
def engineers(count: int) -> str:
    """'1 engineer', '6 engineers'."""
    return f"{count:,} engineer" + ("" if count == 1 else "s")


def percent(share: float) -> str:
    """A share as a whole percentage that never rounds to a misleading 0% or 100%."""
    if share > 0.99:
        return "over 99%"
    if share < 0.01:
        return "under 1%"
    return f"{share:.0%}"


def priorities_reason(priorities: tuple[str, ...], leans: Mapping[str, float], weight: float = 1.0,
                      built_in: Mapping[str, float] | None = None) -> str:
    """One sentence on what the stated priorities ask for, strongest pull first.

    A priority whose lean a weight profile turned around (or to zero) is
    described by what it does under that profile, not by the built-in text.
    `built_in` gives model 2's own leans (growth's is neutral there, and has its own words).
    """
    if weight == 0:
        return "Under this weight profile the stated priorities do not count either way."
    catalogue = FACTORS_BY_NAME["priorities"]
    ordered = sorted(priorities, key=lambda p: -abs(leans[p]))
    fragments = []
    for p in ordered:
        reference = catalogue.value(p).lean if built_in is None else built_in[p]
        now = _side(leans[p])
        if now == _side(reference):
            text = V2_PRIORITY_REASONS.get(p) if built_in is not None else None
            fragments.append(text or catalogue.value(p).reason)
        elif now == "neutral":
            fragments.append(f"{PRIORITY_WORDS[p]} does not count either way under this weight profile")
        else:
            fragments.append(f"{PRIORITY_WORDS[p]} counts toward {now} under this weight profile")
    if len(fragments) == 1:
        return _capitalised(fragments[0]) + "."
    return "Among the stated priorities, " + "; ".join(fragments) + "."


def tuned_reason(phrase: str, direction: str) -> str:
    """The reason for a value whose direction a weight profile changed from the built-in one."""
    if direction == "neutral":
        return f"Under this weight profile, {phrase} does not count either way."
    return f"Under this weight profile, {phrase} counts toward {direction.replace('_', ' ')}."


def _side(lean: float) -> str:
    return "product engineers" if lean > 0 else "software engineers" if lean < 0 else "neutral"


def priorities_phrase(priorities: tuple[str, ...]) -> str:
    words = [PRIORITY_WORDS[p] for p in priorities]
    return "the priority on " + _joined(words)


def priority_phrase(priority: str) -> str:
    return f"the priority on {PRIORITY_WORDS[priority]}"


def joined(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return _joined(words)


def summary_v2(profile, recommendation: str, share: float, contributions, interactions, headcount) -> str:
    """Model 2's two or three sentences: each priority speaks for itself, and the split names its minority."""
    pulls = _pulls(contributions, interactions)
    sentences = [_verdict(profile, recommendation, share), _reasons_v2(recommendation, pulls)]
    if headcount is not None:
        sentences.append(_split_v2(headcount, share, pulls, recommendation))
    return " ".join(sentences)


def _pulls(contributions, interactions) -> list[tuple[float, str, float]]:
    """(strength, phrase, signed contribution) of every factor, each priority on its own, and every
    interaction, strongest first (ties keep factor order); the strength is the contribution's size."""
    pulls = []
    for c in contributions:
        if c.parts:
            for part in c.parts:
                pulls.append((abs(part.contribution), part.phrase, part.contribution))
        else:
            pulls.append((abs(c.contribution), c.phrase, c.contribution))
    for term in interactions:
        pulls.append((abs(term.contribution), term.phrase, term.contribution))
    pulls.sort(key=_STRENGTH, reverse=True)  # stable, reverse=True included
    return pulls


_STRENGTH = itemgetter(0)


def _reasons_v2(recommendation: str, pulls: list[tuple[float, str, float]]) -> str:
    pro = [phrase for _strength, phrase, amount in pulls if amount > 0]
    con = [phrase for _strength, phrase, amount in pulls if amount < 0]
    if recommendation == "both":
        if pro and con:
            return (f"{_capitalised(pro[0])} pulls toward product engineers, while {con[0]} pulls toward "
                    "software engineers, so the team should include both kinds.")
        if pro or con:
            side, other = ("product", "software") if pro else ("software", "product")
            return (f"{_capitalised((pro or con)[0])} pulls toward {side} engineers, but not far enough to rule out "
                    f"{other} engineers.")
        return "No factor in the profile pulls clearly either way."
    supporting, opposing = (pro, con) if recommendation == "product_engineers" else (con, pro)
    sentence = "The strongest reasons are " if len(supporting) > 1 else "The strongest reason is "
    sentence += _joined(supporting[:2]) if supporting else "the balance of the factors"
    if opposing:
        sentence += f", while {opposing[0]} pulls the other way"
    return sentence + "."


def _split_v2(headcount, share: float, pulls: list[tuple[float, str, float]], recommendation: str) -> str:
    product, software = headcount.product_engineers, headcount.software_engineers
    total = product + software
    if software == 0 or product == 0:
        role = "product" if software == 0 else "software"
        other = "software" if software == 0 else "product"
        if total == 1 and recommendation == "both":
            if share == 0.5:
                return (f"The one planned hire can be either kind (the share is even; it is given as a {role} "
                        f"engineer); the next should be the other.")
            return (f"The one planned hire should be a {role} engineer, the kind the share leans toward; the next "
                    f"should be a {other} engineer.")
        if total == 1:
            return f"The planned hire should be a {role} engineer."
        if total == 2:
            return f"Both planned hires should be {role} engineers."
        return f"All {total:,} planned hires should be {role} engineers."
    split = (f"Of the {total:,} planned hires, {product:,} should be {_role(product, 'product')} and {software:,} "
             f"{_role(software, 'software')}")
    if product == software:
        return split + "."
    minority = "product" if product < software else "software"
    count = min(product, software)
    sign = 1 if minority == "product" else -1
    why = next((phrase for _strength, phrase, amount in pulls if amount * sign > 0), None)
    if why is None:
        return split + f": the split follows the product engineer share of {percent(share)}."
    who = f"the {_role(count, minority)}" if count > 1 else f"the one {minority} engineer"
    return split + f"; {who} reflect{'s' if count == 1 else ''} {why}, which pulls toward {minority} engineers."


def summary(
    profile: CompanyProfile,
    recommendation: str,
    share: float,
    contributions: tuple[Contribution, ...],
    headcount: Headcount | None,
) -> str:
    """Two or three sentences a hiring manager can paste into a note."""
    sentences = [_verdict(profile, recommendation, share), _reasons(recommendation, contributions)]
    if headcount is not None:
        sentences.append(_split(headcount))
    return " ".join(sentences)


def _verdict(profile: CompanyProfile, recommendation: str, share: float) -> str:
    context = (
        f"a {STAGE_ADJECTIVE[profile.stage]} {BUSINESS_NOUN[profile.business_model]} "
        + (f"with {engineers(profile.team_size)}" if profile.team_size else "with no engineers yet")
    )
    if profile.company_name:
        context = f"{profile.company_name}, {context},"
    if recommendation == "product_engineers":
        return f"For {context} hiremix recommends product engineers, with a product engineer share of {percent(share)}."
    if recommendation == "software_engineers":
        return f"For {context} hiremix recommends software engineers, with a software engineer share of {percent(1 - share)}."
    return (
        f"For {context} hiremix recommends a mix of product and software engineers, "
        f"with a product engineer share of {percent(share)}."
    )


def _reasons(recommendation: str, contributions: tuple[Contribution, ...]) -> str:
    ranked = [(abs(c.contribution), c) for c in contributions]  # (strength, contribution)
    ranked.sort(key=_STRENGTH, reverse=True)  # stable: ties keep factor order
    pro, con = [], []  # phrases, strongest first
    for _strength, c in ranked:
        if c.contribution > 0:
            pro.append(c.phrase)
        elif c.contribution < 0:
            con.append(c.phrase)
    if recommendation == "both":
        if pro and con:
            return (
                f"{_capitalised(pro[0])} pulls toward product engineers, "
                f"while {con[0]} pulls toward software engineers."
            )
        if pro or con:
            side = "product" if pro else "software"
            other = "software" if pro else "product"
            top = (pro or con)[0]
            return (
                f"{_capitalised(top)} pulls toward {side} engineers, "
                f"but not far enough to rule out {other} engineers."
            )
        return "No factor in the profile pulls clearly either way."
    supporting, opposing = (pro, con) if recommendation == "product_engineers" else (con, pro)
    sentence = "The strongest reasons are " if len(supporting) > 1 else "The strongest reason is "
    sentence += _joined(supporting[:2])
    if opposing:
        sentence += f", while {opposing[0]} pulls the other way"
    return sentence + "."


def _split(headcount: Headcount) -> str:
    product, software = headcount.product_engineers, headcount.software_engineers
    total = product + software
    hires = "hire" if total == 1 else "hires"
    if software == 0:
        return f"All {total} planned {hires} should be product engineers." if total > 1 else (
            "The planned hire should be a product engineer."
        )
    if product == 0:
        return f"All {total} planned {hires} should be software engineers." if total > 1 else (
            "The planned hire should be a software engineer."
        )
    return (
        f"Of the {total} planned hires, {product} should be "
        f"{_role(product, 'product')} and {software} {_role(software, 'software')}."
    )


def _role(count: int, kind: str) -> str:
    return f"a {kind} engineer" if count == 1 else f"{kind} engineers"


def _joined(words: list[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# Read off a stored or fresh document (plain data), for the result page and the command line alike.


def confidence_meaning(document: dict) -> str:
    """What the confidence of this answer means, in one sentence (it depends on the model that decided it)."""
    if "interactions" in document:  # model 2 answers carry their interactions, even none
        return "how sure the verdict is; an answer in the middle of its band reads 90%."
    return "how far the score is from changing the recommendation."


def change_note(document: dict) -> str:
    """The sentence above "what would change it": the answer's own, or one said for older answers."""
    if document.get("what_would_change_note"):
        return document["what_would_change_note"]
    if document.get("what_would_change"):
        return "Changing one of these factors alone would change the recommendation."
    return "No single change of one factor would change the recommendation."
