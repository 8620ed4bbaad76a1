"""phone: a task records its last nudge (催办), when and by whom, so an owner is nudged at most once a day.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nudged_at', storage.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('nudged_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tasks_nudged_by_id_members'), 'members', ['nudged_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_nudged_by_id_members'), type_='foreignkey')
        batch_op.drop_column('nudged_by_id')
        batch_op.drop_column('nudged_at')
