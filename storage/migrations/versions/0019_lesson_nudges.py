"""lesson nudges: who reminded a lesson's non-learners (一键提醒), for which scope, on which day (once a day).

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lesson_nudges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=100), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('at', storage.base.UTCDateTime(), nullable=False),
        sa.Column('reminded', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['members.id'], name=op.f('fk_lesson_nudges_by_id_members'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_nudges_lesson_id_lessons'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_nudges')),
        sa.UniqueConstraint('lesson_id', 'scope', 'day', name='uq_lesson_nudges_lesson_scope_day'),
    )
    with op.batch_alter_table('lesson_nudges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_nudges_lesson_id'), ['lesson_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lesson_nudges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_nudges_lesson_id'))
    op.drop_table('lesson_nudges')
