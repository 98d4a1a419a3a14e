"""Marshmallow schemas: the single source of validation and of the OpenAPI document."""

from schemas.problem import FieldErrorSchema, ProblemSchema
from schemas.profile import EXAMPLE_PROFILE, CompanyProfileSchema
from schemas.recommendation import (
    RecommendationListQuerySchema,
    RecommendationPageSchema,
    RecommendationPreviewSchema,
    RecommendationSchema,
)

__all__ = [
    "EXAMPLE_PROFILE",
    "CompanyProfileSchema",
    "FieldErrorSchema",
    "ProblemSchema",
    "RecommendationListQuerySchema",
    "RecommendationPageSchema",
    "RecommendationPreviewSchema",
    "RecommendationSchema",
]
