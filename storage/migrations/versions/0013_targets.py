"""targets: SMART targets per indicator and unit (kpi_targets).

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

from storage.base import UTCDateTime


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpi_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('set_on', sa.Date(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['members.id'], name=op.f('fk_kpi_targets_set_by_id_members')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_kpi_targets_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_targets'))
    )
    op.create_index(op.f('ix_kpi_targets_key'), 'kpi_targets', ['key'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_kpi_targets_key'), table_name='kpi_targets')
    op.drop_table('kpi_targets')
