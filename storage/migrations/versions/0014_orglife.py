"""orglife: organisational life (三会一课, 主题党日): rules, meetings, invitations, attendance.

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('orglife_rules',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=500), nullable=True),
    sa.Column('updated_at', storage.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_orglife_rules'))
    )
    op.create_table('orglife_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('starts_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('checkin_open', sa.Boolean(), nullable=False),
    sa.Column('reminded_day', sa.Boolean(), nullable=False),
    sa.Column('reminded_hour', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('minutes_text', sa.Text(), nullable=True),
    sa.Column('minutes_file_id', sa.String(length=300), nullable=True),
    sa.Column('minutes_file_name', sa.String(length=300), nullable=True),
    sa.Column('minutes_by', sa.Integer(), nullable=True),
    sa.Column('minutes_at', storage.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['units.id'], name=op.f('fk_orglife_meetings_branch_id_units')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_orglife_meetings_created_by_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_id'], ['members.id'], name=op.f('fk_orglife_meetings_host_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['minutes_by'], ['members.id'], name=op.f('fk_orglife_meetings_minutes_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orglife_meetings'))
    )
    with op.batch_alter_table('orglife_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orglife_meetings_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orglife_meetings_starts_at'), ['starts_at'], unique=False)

    op.create_table('orglife_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=16), nullable=True),
    sa.Column('leave_reason', sa.Text(), nullable=True),
    sa.Column('answered_at', storage.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['orglife_meetings.id'], name=op.f('fk_orglife_invitations_meeting_id_orglife_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_orglife_invitations_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orglife_invitations')),
    sa.UniqueConstraint('meeting_id', 'member_id', name='uq_orglife_invitations_meeting_member')
    )
    with op.batch_alter_table('orglife_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orglife_invitations_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orglife_invitations_member_id'), ['member_id'], unique=False)

    op.create_table('orglife_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('corrected_by', sa.Integer(), nullable=True),
    sa.Column('corrected_at', storage.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['corrected_by'], ['members.id'], name=op.f('fk_orglife_attendance_corrected_by_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['orglife_meetings.id'], name=op.f('fk_orglife_attendance_meeting_id_orglife_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_orglife_attendance_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orglife_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name='uq_orglife_attendance_meeting_member')
    )
    with op.batch_alter_table('orglife_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orglife_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orglife_attendance_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_table('orglife_attendance')
    op.drop_table('orglife_invitations')
    op.drop_table('orglife_meetings')
    op.drop_table('orglife_rules')
