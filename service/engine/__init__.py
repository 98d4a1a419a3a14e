"""The recommendation engine: company profile and weights in, explained result out.

Pure Python on purpose: no Flask, SQLAlchemy or marshmallow is imported here,
so the rules can be read, tested and benchmarked without an app or a database.
"""

from service.engine.catalogue import FACTORS, Factor, FactorValue, team_size_band
from service.engine.model import (
    CompanyProfile,
    Contribution,
    Evaluation,
    Headcount,
    ModelRef,
    evaluate,
    split_headcount,
)
from service.engine.weights import DEFAULT_WEIGHT_PROFILE, Thresholds, WeightProfile

__all__ = [
    "DEFAULT_WEIGHT_PROFILE",
    "FACTORS",
    "CompanyProfile",
    "Contribution",
    "Evaluation",
    "Factor",
    "FactorValue",
    "Headcount",
    "ModelRef",
    "Thresholds",
    "WeightProfile",
    "evaluate",
    "split_headcount",
    "team_size_band",
]
