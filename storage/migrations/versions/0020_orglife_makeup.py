"""orglife make-up: a meeting keeps the micro-lesson its absent members study as make-up (补学).

Revision ID: 0020
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orglife_meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('makeup_lesson_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_orglife_meetings_makeup_lesson_id_lessons'), 'lessons',
                                    ['makeup_lesson_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('orglife_meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orglife_meetings_makeup_lesson_id_lessons'), type_='foreignkey')
        batch_op.drop_column('makeup_lesson_id')
