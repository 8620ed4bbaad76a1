"""member: who chose to be named on their branch's lesson points board (issue 15 item 9).

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lesson_board_names',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('since', storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_lesson_board_names_member_id_members'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', name=op.f('pk_lesson_board_names')),
    )


def downgrade() -> None:
    op.drop_table('lesson_board_names')
