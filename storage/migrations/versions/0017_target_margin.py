"""targets: a target's own margin for "worse than the period before" (kpi_targets.margin).

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kpi_targets') as batch:
        batch.add_column(sa.Column('margin', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kpi_targets') as batch:
        batch.drop_column('margin')
