"""lessons: tables of the lessons feature.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('quiz', sa.JSON(), nullable=False),
    sa.Column('audience', sa.String(length=500), nullable=False),
    sa.Column('publish_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('min_read_seconds', sa.Integer(), nullable=False),
    sa.Column('pass_percent', sa.Integer(), nullable=False),
    sa.Column('remind_after_days', sa.Integer(), nullable=False),
    sa.Column('remind_before_due_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('published_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('remind_after_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('remind_due_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('closes_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_lessons_author_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lessons'))
    )
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.create_index('ix_lessons_due', ['status', 'publish_at'], unique=False)

    op.create_table('lesson_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('pushed_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('learned_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('learned_via', sa.String(length=8), nullable=True),
    sa.Column('quiz_right', sa.JSON(), nullable=False),
    sa.Column('first_score', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('reminded_after_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('reminded_due_at', storage.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_assignments_lesson_id_lessons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_lesson_assignments_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_assignments')),
    sa.UniqueConstraint('lesson_id', 'member_id', name='uq_lesson_assignments_lesson_member')
    )
    with op.batch_alter_table('lesson_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_assignments_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lesson_assignments_member_id'), ['member_id'], unique=False)

    op.create_table('lesson_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('earned', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_points_lesson_id_lessons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_lesson_points_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_points')),
    sa.UniqueConstraint('member_id', 'lesson_id', 'reason', name='uq_lesson_points_member_lesson_reason')
    )
    with op.batch_alter_table('lesson_points', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_points_member_day', ['member_id', 'day'], unique=False)

    op.create_table('lesson_quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('first', sa.Boolean(), nullable=False),
    sa.Column('started_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', storage.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['lesson_assignments.id'], name=op.f('fk_lesson_quiz_attempts_assignment_id_lesson_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_lesson_quiz_attempts_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_quiz_attempts'))
    )
    with op.batch_alter_table('lesson_quiz_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_quiz_attempts_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lesson_quiz_attempts_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lesson_quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_quiz_attempts_member_id'))
        batch_op.drop_index(batch_op.f('ix_lesson_quiz_attempts_assignment_id'))

    op.drop_table('lesson_quiz_attempts')
    with op.batch_alter_table('lesson_points', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_points_member_day')

    op.drop_table('lesson_points')
    with op.batch_alter_table('lesson_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_assignments_member_id'))
        batch_op.drop_index(batch_op.f('ix_lesson_assignments_lesson_id'))

    op.drop_table('lesson_assignments')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_index('ix_lessons_due')

    op.drop_table('lessons')
