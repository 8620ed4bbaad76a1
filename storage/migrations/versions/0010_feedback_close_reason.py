"""feedback close reason: closing a ticket unresolved keeps the reason the writer was told.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback_tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('close_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feedback_tickets', schema=None) as batch_op:
        batch_op.drop_column('close_reason')
