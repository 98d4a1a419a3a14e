"""each weight-profile version records the model it was made on

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Every version made before model 2 existed was made on model 1 (logistic-additive-v1)
and keeps deciding with it. Model 2's own numbers, the interaction weights and the
team-size curve, are null on model 1 versions.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("weight_profile_versions") as table:
        table.add_column(sa.Column("combination", sa.String(40), nullable=False,
                                   server_default="logistic-additive-v1"))
        table.add_column(sa.Column("interactions", sa.JSON(), nullable=True))
        table.add_column(sa.Column("team_size_midpoint", sa.Float(), nullable=True))
        table.add_column(sa.Column("team_size_steepness", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("weight_profile_versions") as table:
        table.drop_column("team_size_steepness")
        table.drop_column("team_size_midpoint")
        table.drop_column("interactions")
        table.drop_column("combination")
