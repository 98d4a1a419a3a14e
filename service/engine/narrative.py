"""Plain sentences for results: the priorities' reason and the summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from service.engine.catalogue import FACTORS_BY_NAME

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


def priorities_reason(priorities: tuple[str, ...], leans: Mapping[str, float], weight: float = 1.0) -> str:
    """One sentence on what the stated priorities ask for, strongest pull first.

    A priority whose lean a weight profile turned around (or to zero) is
    described by what it does under that profile, not by the built-in text.
    """
    if weight == 0:
        return "Under this weight profile the stated priorities do not count either way."
    catalogue = FACTORS_BY_NAME["priorities"]
    ordered = sorted(priorities, key=lambda p: -abs(leans[p]))
    fragments = []
    for p in ordered:
        now, built_in = _side(leans[p]), _side(catalogue.value(p).lean)
        if now == built_in:
            fragments.append(catalogue.value(p).reason)
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
    strongest_first = sorted(contributions, key=_strength, reverse=True)  # stable: ties keep factor order
    pro = [c for c in strongest_first if c.contribution > 0]
    con = [c for c in strongest_first if c.contribution < 0]
    if recommendation == "both":
        if pro and con:
            return (
                f"{_capitalised(pro[0].phrase)} pulls toward product engineers, "
                f"while {con[0].phrase} pulls toward software engineers."
            )
        if pro or con:
            side = "product" if pro else "software"
            other = "software" if pro else "product"
            top = (pro or con)[0]
            return (
                f"{_capitalised(top.phrase)} pulls toward {side} engineers, "
                f"but not far enough to rule out {other} engineers."
            )
        return "No factor in the profile pulls clearly either way."
    supporting, opposing = (pro, con) if recommendation == "product_engineers" else (con, pro)
    sentence = "The strongest reasons are " if len(supporting) > 1 else "The strongest reason is "
    sentence += _joined([c.phrase for c in supporting[:2]])
    if opposing:
        sentence += f", while {opposing[0].phrase} pulls the other way"
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


def _strength(contribution: Contribution) -> float:
    return abs(contribution.contribution)


def _joined(words: list[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
