"""Marshmallow schemas: the single source of validation and of the OpenAPI document."""

from schemas.batch import BATCH_MAX, BatchRequestSchema, BatchResultSchema
from schemas.problem import FieldErrorSchema, ProblemSchema
from schemas.profile import EXAMPLE_PROFILE, CompanyProfileSchema
from schemas.recommendation import (
    RecommendationExportQuerySchema,
    RecommendationListQuerySchema,
    RecommendationPageSchema,
    RecommendationPreviewSchema,
    RecommendationSchema,
)

__all__ = [
    "BATCH_MAX",
    "BatchRequestSchema",
    "BatchResultSchema",
    "EXAMPLE_PROFILE",
    "CompanyProfileSchema",
    "FieldErrorSchema",
    "ProblemSchema",
    "RecommendationExportQuerySchema",
    "RecommendationListQuerySchema",
    "RecommendationPageSchema",
    "RecommendationPreviewSchema",
    "RecommendationSchema",
]
