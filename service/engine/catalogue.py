"""The factors of the model: their allowed values, default leans and evidence.

A lean is in [-1, 1]: positive leans toward product engineers, negative toward
software engineers. Evidence ids (E1..E13) refer to ../shared/domain/evidence.md;
every text here is our own wording of those claims.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

STAGES = ("pre_seed", "seed", "series_a", "series_b", "series_c", "growth", "public")
PRODUCT_COMPLEXITIES = ("low", "medium", "high", "very_high")
BUSINESS_MODELS = (
    "b2b_saas",
    "consumer_subscription",
    "consumer",
    "marketplace",
    "developer_tools",
    "data_platform",
    "enterprise_platform",
    "other",
)
PRIORITIES = ("ship_fast", "innovation", "growth", "scale", "reliability", "security")
CUSTOMER_ACCESS = ("direct", "limited", "none")
RECOMMENDATIONS = ("product_engineers", "both", "software_engineers")

TEAM_SIZE_MAX = 1_000_000
PLANNED_HIRES_MAX = 10_000

# Upper bound (inclusive) of each team-size band, smallest first.
TEAM_SIZE_BANDS = (
    ("first_hire", 0),
    ("small", 10),
    ("mid", 50),
    ("large", 250),
    ("very_large", 1000),
    ("huge", TEAM_SIZE_MAX),
)
_BAND_NAMES = tuple(name for name, _upper in TEAM_SIZE_BANDS)
_BAND_UPPERS = tuple(upper for _name, upper in TEAM_SIZE_BANDS)


@dataclass(frozen=True)
class FactorValue:
    """One allowed value of a factor, with its default lean and its evidence."""

    value: str
    lean: float
    evidence: tuple[str, ...]
    phrase: str  # noun phrase used in summaries, e.g. "the seed stage"
    reason: str  # one sentence; may use {engineers}


@dataclass(frozen=True)
class Factor:
    """A profile field the model weighs."""

    name: str
    description: str
    weight: float
    values: tuple[FactorValue, ...]
    multi: bool = False  # several values at once (priorities), leans add up

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_value", {entry.value: entry for entry in self.values})

    def value(self, value: str) -> FactorValue:
        """The catalogue entry of one value; KeyError when it is not allowed."""
        return self._by_value[value]


def team_size_band(team_size: int) -> str:
    """The named band an engineering team of this size falls into: the first whose upper bound it does not
    pass (the last band for any larger team)."""
    if not team_size <= _BAND_UPPERS[-1]:  # past the last bound (or not a number): the last band
        return _BAND_NAMES[-1]
    return _BAND_NAMES[bisect_left(_BAND_UPPERS, team_size)]


STAGE = Factor(
    name="stage",
    description="How far the company has come; early companies need speed, later ones specialisation.",
    weight=0.9,
    values=(
        FactorValue(
            "pre_seed", 1.0, ("E1",), "the pre-seed stage",
            "Before seed funding the company mostly needs to find out what users want, which is product engineering work.",
        ),
        FactorValue(
            "seed", 0.9, ("E1",), "the seed stage",
            "At seed stage the fastest route to traction is engineers who ship product changes quickly and own the results.",
        ),
        FactorValue(
            "series_a", 0.5, ("E1",), "the Series A stage",
            "A Series A company is still early enough that shipping speed usually beats deep specialisation.",
        ),
        FactorValue(
            "series_b", 0.0, ("E12",), "the Series B stage",
            "By Series B both kinds of engineers tend to be needed, so the stage itself does not tip the balance.",
        ),
        FactorValue(
            "series_c", -0.3, ("E4", "E7"), "the Series C stage",
            "At Series C the product has usually grown enough that specialists start to pay off, though product-minded teams still matter.",
        ),
        FactorValue(
            "growth", -0.5, ("E4", "E7"), "the growth stage",
            "A growth-stage company has a larger product to scale and maintain, which favours specialists; small product teams remain useful for new bets.",
        ),
        FactorValue(
            "public", -0.6, ("E4", "E7"), "being a public company",
            "A public company runs a large, established product where specialists keep it scaling, while product engineers are best used in small teams for new ideas.",
        ),
    ),
)

TEAM_SIZE = Factor(
    name="team_size",
    description="Engineers employed today; small teams want generalists, large ones specialists.",
    weight=1.2,
    values=(
        FactorValue(
            "first_hire", 1.0, ("E5",), "making the first engineering hire",
            "A first engineering hire has to do everything from talking to users to shipping, which is the product engineer's profile.",
        ),
        FactorValue(
            "small", 0.7, ("E5",), "the small team of {engineers}",
            "With {engineers} the team is small enough that multi-skilled engineers who talk to users get the most done.",
        ),
        FactorValue(
            "mid", 0.1, ("E5", "E12"), "the mid-sized team of {engineers}",
            "A team of {engineers} still benefits from generalists, but is starting to need some specialists.",
        ),
        FactorValue(
            "large", -0.5, ("E4",), "the large team of {engineers}",
            "With {engineers} the codebase usually needs specialists to keep it scaling and maintainable.",
        ),
        FactorValue(
            "very_large", -0.9, ("E4",), "an organisation of {engineers}",
            "An organisation of {engineers} depends on deep specialists to scale and maintain what it has built.",
        ),
        FactorValue(
            "huge", -1.0, ("E4",), "an organisation of {engineers}",
            "At {engineers}, specialisation is what keeps a system of this size running and improving.",
        ),
    ),
)

PRODUCT_COMPLEXITY = Factor(
    name="product_complexity",
    description="How technically demanding the product is; complex products need deep specialists.",
    weight=1.3,
    values=(
        FactorValue(
            "low", 0.8, ("E3", "E9"), "low product complexity",
            "A technically simple product leaves room for engineers to spend their time on users and outcomes rather than hard infrastructure.",
        ),
        FactorValue(
            "medium", 0.0, ("E3", "E9", "E12"), "moderate product complexity",
            "Moderate technical complexity can be carried by product-minded engineers who go deep when needed, so it does not tip the balance either way.",
        ),
        FactorValue(
            "high", -0.6, ("E3", "E9"), "high product complexity",
            "A technically complex product needs engineers who specialise deeply in areas such as data, backend or performance.",
        ),
        FactorValue(
            "very_high", -1.0, ("E3", "E4", "E9"), "very high product complexity",
            "A very complex product is where generalist product engineers are least effective and deep specialists matter most.",
        ),
    ),
)

BUSINESS_MODEL = Factor(
    name="business_model",
    description="How the company makes money; some models reward fast product iteration, others depth.",
    weight=1.1,
    values=(
        FactorValue(
            "b2b_saas", 0.8, ("E2",), "the B2B SaaS business model",
            "B2B SaaS rewards quick, user-driven product iteration, which is where product engineers do their best work.",
        ),
        FactorValue(
            "consumer_subscription", 0.8, ("E2",), "the consumer subscription model",
            "A consumer subscription business lives on steady product improvements that keep subscribers, a good fit for product engineers.",
        ),
        FactorValue(
            "consumer", 0.4, ("E2", "E6"), "the consumer business model",
            "A consumer product benefits from engineers who watch usage closely and iterate fast, though less clearly than a subscription business.",
        ),
        FactorValue(
            "marketplace", 0.0, ("E12",), "the marketplace model",
            "A marketplace needs both fast product iteration and solid matching and payments systems, so the model alone does not tip the balance.",
        ),
        FactorValue(
            "developer_tools", 0.0, ("E12",), "the developer tools market",
            "The evidence says nothing specific about developer tools, so the business model counts as neutral here.",
        ),
        FactorValue(
            "data_platform", -0.9, ("E3",), "building a data platform",
            "A data platform is a large, technically demanding product where specialists in data systems outperform generalists.",
        ),
        FactorValue(
            "enterprise_platform", -0.9, ("E3",), "building an enterprise platform",
            "A platform sold to large enterprises is technically heavy and risk-sensitive, which favours specialist software engineers.",
        ),
        FactorValue(
            "other", 0.0, ("E12",), "the business model",
            "The business model is not one the evidence speaks to, so it counts as neutral.",
        ),
    ),
)

PRIORITY = Factor(
    name="priorities",
    description="What the company wants most from the next hires; each given priority adds its lean.",
    weight=0.6,
    multi=True,
    values=(
        FactorValue(
            "ship_fast", 1.0, ("E6", "E13"), "the priority on shipping fast",
            "shipping fast favours engineers who build, release and iterate without waiting for a perfect solution",
        ),
        FactorValue(
            "innovation", 0.6, ("E7", "E13"), "the priority on innovation",
            "innovation favours small, autonomous product teams that try new ideas",
        ),
        FactorValue(
            "growth", 0.4, ("E11",), "the priority on growth",
            "growth leans toward product-minded engineers, and growth engineers may be worth a look",
        ),
        FactorValue(
            "scale", -1.0, ("E4", "E8"), "the priority on scale",
            "scale calls for specialists who make systems handle much more load",
        ),
        FactorValue(
            "reliability", -0.7, ("E8",), "the priority on reliability",
            "reliability calls for engineers who care about best practice, testing and risk",
        ),
        FactorValue(
            "security", -0.8, ("E8",), "the priority on security",
            "security calls for engineers who write careful, secure code and weigh risk first",
        ),
    ),
)

CUSTOMER_ACCESS_FACTOR = Factor(
    name="customer_access",
    description="Whether engineers can talk to customers, which product engineers rely on.",
    weight=0.8,
    values=(
        FactorValue(
            "direct", 1.0, ("E5", "E10"), "direct access to customers",
            "Engineers who can talk to customers directly can do the research and feedback loops that define product engineering.",
        ),
        FactorValue(
            "limited", 0.0, ("E10",), "limited access to customers",
            "With only limited customer access, product engineers lose part of their edge, so this counts as neutral.",
        ),
        FactorValue(
            "none", -0.8, ("E10",), "no access to customers",
            "Without any customer contact, product engineers cannot do a core part of their job, so specialists are the safer hire.",
        ),
    ),
)

FACTORS: tuple[Factor, ...] = (
    STAGE,
    TEAM_SIZE,
    PRODUCT_COMPLEXITY,
    BUSINESS_MODEL,
    PRIORITY,
    CUSTOMER_ACCESS_FACTOR,
)
FACTORS_BY_NAME = {factor.name: factor for factor in FACTORS}


# Model 2 changes one lean of model 1: growth engineers are a kind of software engineer who shares much
# with product engineers (E11), so the priority `growth` alone leans neither way; it still brings the
# growth-engineering suggestion.
V2_LEANS = {("priorities", "growth"): 0.0}
V2_PRIORITY_REASONS = {
    "growth": "growth leans neither way on its own, since growth engineers are software engineers with a "
              "product engineer's instincts",
}


@dataclass(frozen=True)
class Interaction:
    """Model 2: a pull that only a combination of factors has, with its evidence."""

    name: str
    weight: float
    evidence: tuple[str, ...]
    description: str
    reason: str  # one sentence; may use {engineers} and {priorities}


INTERACTIONS: tuple[Interaction, ...] = (
    Interaction(
        "large_team_wants_speed", 0.7, ("E7", "E13"),
        "A large engineering organisation that wants to ship fast or innovate adds product engineers beside its "
        "specialists (strength: how large the team is, from 0 to 1, times 1 for shipping fast and innovation "
        "together or 0.75 for one of them). Interactions only bring an answer that leans toward software "
        "engineers back toward the middle, never past it. The weight is kept below team_size's, so a larger "
        "team still never raises the product engineer share.",
        "An organisation of {engineers} that wants to {priorities} gains from adding product engineers in small, "
        "autonomous teams beside its specialists.",
    ),
    Interaction(
        "late_stage_innovation", 0.3, ("E7",),
        "A later-stage company (Series C onwards) that names innovation: part of the stage's pull toward "
        "specialists is given back (strength: how late the stage is, from 0 to 1), never past the middle. The "
        "weight is kept below stage's, so a later stage still never raises the product engineer share.",
        "A company this far along that wants innovation does well to give small product teams room to try "
        "new ideas, while its specialists keep the core running.",
    ),
)
INTERACTIONS_BY_NAME = {interaction.name: interaction for interaction in INTERACTIONS}
# Strength of the wish for speed, for large_team_wants_speed.
SPEED_PRIORITIES = ("ship_fast", "innovation")
LATE_STAGE_LEAN = -0.6  # the latest stage's lean; late_stage_innovation's strength is the stage's share of it

# Model 2's reasons for a team size, by how far its lean goes (the first whose bound the lean reaches),
# with the phrase the summary uses for it.
TEAM_SIZE_REASONS_V2 = (
    (0.5, ("E5",), ("With {engineers} the team is small enough that multi-skilled engineers who talk to users "
                   "get the most done."), "the small team of {engineers}"),
    (0.1, ("E5", "E12"), ("A team of {engineers} still gets the most from generalists, though it is starting to "
                         "need some specialists."), "the team of {engineers}"),
    (-0.1, ("E12",), "At {engineers}, team size hardly tips the balance: generalists and specialists both pay off.",
     "the team of {engineers}"),
    (-0.5, ("E4",), ("With {engineers} the codebase is starting to need specialists to keep it scaling and "
                    "maintainable."), "the growing team of {engineers}"),
    (-1.0, ("E4",), ("An organisation of {engineers} depends on deep specialists to scale and maintain what it "
                    "has built."), "an organisation of {engineers}"),
)
FIRST_HIRE_REASON = TEAM_SIZE.values[0].reason
