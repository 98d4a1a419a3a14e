"""recommendations table

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from service.orm import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendations",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("recommendation", sa.String(32), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("business_model", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("product_engineer_share", sa.Float(), nullable=False),
        sa.Column("weight_profile_id", sa.String(64), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("model_hash", sa.String(80), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
    )
    op.create_index("ix_recommendations_created_at_id", "recommendations", ["created_at", "id"])
    op.create_index("ix_recommendations_recommendation_created_at", "recommendations", ["recommendation", "created_at"])
    op.create_index("ix_recommendations_stage_created_at", "recommendations", ["stage", "created_at"])
    op.create_index("ix_recommendations_business_model_created_at", "recommendations", ["business_model", "created_at"])
    op.create_index("ix_recommendations_external_id", "recommendations", ["external_id"])


def downgrade() -> None:
    op.drop_table("recommendations")
