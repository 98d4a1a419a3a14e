"""tenants, API keys, idempotency records; recommendations belong to a tenant

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Recommendations stored before tenancy existed are given to a tenant named
"pre-tenancy recommendations"; `flask --app service keys create --tenant
<its id>` gives somebody access to them.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from service.ids import new_id
from service.orm import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_OLD_INDEXES = {
    "ix_recommendations_created_at_id": ["created_at", "id"],
    "ix_recommendations_recommendation_created_at": ["recommendation", "created_at"],
    "ix_recommendations_stage_created_at": ["stage", "created_at"],
    "ix_recommendations_business_model_created_at": ["business_model", "created_at"],
    "ix_recommendations_external_id": ["external_id"],
}


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("hint", sa.String(32), nullable=False),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_api_keys_tenant_id_tenants",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("secret_hash", name="uq_api_keys_secret_hash"),
    )
    op.create_index("ix_api_keys_tenant_id", "api_keys", ["tenant_id"])
    op.create_table(
        "idempotency_records",
        sa.Column("tenant_id", sa.String(40), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("claim", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("request", sa.String(300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("location", sa.String(300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_idempotency_records_tenant_id_tenants",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "key", name="pk_idempotency_records"),
    )
    op.create_index("ix_idempotency_records_expires_at", "idempotency_records", ["expires_at"])

    with op.batch_alter_table("recommendations") as batch:
        batch.add_column(sa.Column("tenant_id", sa.String(40), nullable=True))
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT 1 FROM recommendations LIMIT 1")).first() is not None:
        legacy = new_id("ten")
        tenants = sa.table("tenants", sa.column("id"), sa.column("name"), sa.column("created_at", UTCDateTime()))
        op.bulk_insert(tenants, [{"id": legacy, "name": "pre-tenancy recommendations",
                                  "created_at": dt.datetime.now(dt.timezone.utc)}])
        connection.execute(sa.text("UPDATE recommendations SET tenant_id = :tenant"), {"tenant": legacy})
    with op.batch_alter_table("recommendations") as batch:
        batch.alter_column("tenant_id", existing_type=sa.String(40), nullable=False)
        batch.create_foreign_key("fk_recommendations_tenant_id_tenants", "tenants", ["tenant_id"], ["id"],
                                 ondelete="CASCADE")
        for name in _OLD_INDEXES:
            batch.drop_index(name)
        batch.create_index("ix_recommendations_tenant_id_created_at_id", ["tenant_id", "created_at", "id"])
        batch.create_index("ix_recommendations_tenant_id_recommendation_created_at",
                           ["tenant_id", "recommendation", "created_at"])
        batch.create_index("ix_recommendations_tenant_id_stage_created_at", ["tenant_id", "stage", "created_at"])
        batch.create_index("ix_recommendations_tenant_id_business_model_created_at",
                           ["tenant_id", "business_model", "created_at"])
        batch.create_index("ix_recommendations_tenant_id_external_id", ["tenant_id", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("recommendations") as batch:
        for name in ("ix_recommendations_tenant_id_created_at_id", "ix_recommendations_tenant_id_recommendation_created_at",
                     "ix_recommendations_tenant_id_stage_created_at",
                     "ix_recommendations_tenant_id_business_model_created_at",
                     "ix_recommendations_tenant_id_external_id"):
            batch.drop_index(name)
        batch.drop_constraint("fk_recommendations_tenant_id_tenants", type_="foreignkey")
        batch.drop_column("tenant_id")
        for name, columns in _OLD_INDEXES.items():
            batch.create_index(name, columns)
    op.drop_table("idempotency_records")
    op.drop_table("api_keys")
    op.drop_table("tenants")
