"""tasks: tables of the tasks feature.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_no', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('lead_unit_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('due_time', sa.Time(), nullable=True),
    sa.Column('deadline_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('completion_note', sa.Text(), nullable=True),
    sa.Column('reported_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('reminder_stage', sa.Integer(), nullable=False),
    sa.Column('next_reminder_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('alerted_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('escalated_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['members.id'], name=op.f('fk_tasks_confirmed_by_id_members')),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['units.id'], name=op.f('fk_tasks_lead_unit_id_units')),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], name=op.f('fk_tasks_owner_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    sa.UniqueConstraint('task_no', name=op.f('uq_tasks_task_no'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_next_reminder_at', ['next_reminder_at'], unique=False)
        batch_op.create_index('ix_tasks_status_deadline', ['status', 'deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_owner_id'), ['owner_id'], unique=False)

    op.create_table('task_units',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_units_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_task_units_unit_id_units')),
    sa.PrimaryKeyConstraint('task_id', 'unit_id', name=op.f('pk_task_units'))
    )
    op.create_table('task_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_task_notes_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_notes_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_notes'))
    )
    with op.batch_alter_table('task_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_notes_task_id'), ['task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_notes_task_id'))
    op.drop_table('task_notes')
    op.drop_table('task_units')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_owner_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_lead_unit_id'))
        batch_op.drop_index('ix_tasks_status_deadline')
        batch_op.drop_index('ix_tasks_next_reminder_at')
    op.drop_table('tasks')
