"""weight profiles and their immutable versions; default keys get the weight-profile scopes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Keys made without --scope may use everything but admin. Such keys made before
this revision hold exactly the two recommendation scopes, so they gain the two
new weight-profile scopes here.
"""

import sqlalchemy as sa
from alembic import op

from service.orm import UTCDateTime

OLD_DEFAULT = "recommendations:read recommendations:write"
NEW_DEFAULT = "recommendations:read recommendations:write weight_profiles:read weight_profiles:write"

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weight_profiles",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant_id", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_weight_profiles_tenant_id_tenants",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_weight_profiles"),
    )
    op.create_index("ix_weight_profiles_tenant_id_created_at_id", "weight_profiles", ["tenant_id", "created_at", "id"])
    op.create_table(
        "weight_profile_versions",
        sa.Column("weight_profile_id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("leans", sa.JSON(), nullable=False),
        sa.Column("threshold_lower", sa.Float(), nullable=False),
        sa.Column("threshold_upper", sa.Float(), nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
        sa.ForeignKeyConstraint(["weight_profile_id"], ["weight_profiles.id"],
                                name="fk_weight_profile_versions_weight_profile_id_weight_profiles",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("weight_profile_id", "version", name="pk_weight_profile_versions"),
    )
    op.execute(sa.text("UPDATE api_keys SET scopes = :new WHERE scopes = :old").bindparams(new=NEW_DEFAULT,
                                                                                          old=OLD_DEFAULT))


def downgrade() -> None:
    op.execute(sa.text("UPDATE api_keys SET scopes = :old WHERE scopes = :new").bindparams(new=NEW_DEFAULT,
                                                                                          old=OLD_DEFAULT))
    op.drop_table("weight_profile_versions")
    op.drop_table("weight_profiles")
