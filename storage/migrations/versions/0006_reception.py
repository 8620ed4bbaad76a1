"""reception: tables of the reception feature.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reception_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('rule_value', sa.Integer(), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('notice_days', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=500), nullable=False),
    sa.Column('ahead', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_reception_series_created_by_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['leader_id'], ['members.id'], name=op.f('fk_reception_series_leader_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_series'))
    )
    with op.batch_alter_table('reception_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_series_leader_id'), ['leader_id'], unique=False)

    op.create_table('reception_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('notice_days', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('agenda_version', sa.Integer(), nullable=False),
    sa.Column('agenda_sent_version', sa.Integer(), nullable=True),
    sa.Column('outcome_sheet_sent', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_reception_days_created_by_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['leader_id'], ['members.id'], name=op.f('fk_reception_days_leader_id_members')),
    sa.ForeignKeyConstraint(['series_id'], ['reception_series.id'], name=op.f('fk_reception_days_series_id_reception_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_days')),
    sa.UniqueConstraint('series_id', 'day', name='uq_reception_days_series_day')
    )
    with op.batch_alter_table('reception_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_days_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_reception_days_leader_id'), ['leader_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reception_days_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reception_days_starts_at'), ['starts_at'], unique=False)

    op.create_table('reception_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('starts_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name=op.f('ck_reception_slots_booked_within_capacity')),
    sa.ForeignKeyConstraint(['day_id'], ['reception_days.id'], name=op.f('fk_reception_slots_day_id_reception_days'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_slots')),
    sa.UniqueConstraint('day_id', 'position', name='uq_reception_slots_day_position')
    )
    with op.batch_alter_table('reception_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_slots_day_id'), ['day_id'], unique=False)

    op.create_table('reception_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', storage.base.UTCDateTime(), nullable=False),
    sa.Column('booked_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('offer_expires_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('ended_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('reminded_day', sa.Boolean(), nullable=False),
    sa.Column('reminded_hour', sa.Boolean(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('outcome_by', sa.Integer(), nullable=True),
    sa.Column('outcome_at', storage.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['day_id'], ['reception_days.id'], name=op.f('fk_reception_bookings_day_id_reception_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_reception_bookings_member_id_members')),
    sa.ForeignKeyConstraint(['outcome_by'], ['members.id'], name=op.f('fk_reception_bookings_outcome_by_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['slot_id'], ['reception_slots.id'], name=op.f('fk_reception_bookings_slot_id_reception_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reception_bookings'))
    )
    with op.batch_alter_table('reception_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_bookings_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_reception_bookings_slot_status', ['slot_id', 'status'], unique=False)
        batch_op.create_index('ix_reception_bookings_status_offer', ['status', 'offer_expires_at'], unique=False)
        batch_op.create_index('uq_reception_bookings_active_day_member', ['day_id', 'member_id'], unique=True, sqlite_where=sa.text("status IN ('booked', 'offered', 'waiting')"), postgresql_where=sa.text("status IN ('booked', 'offered', 'waiting')"))


def downgrade() -> None:
    with op.batch_alter_table('reception_bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_reception_bookings_active_day_member', sqlite_where=sa.text("status IN ('booked', 'offered', 'waiting')"), postgresql_where=sa.text("status IN ('booked', 'offered', 'waiting')"))
        batch_op.drop_index('ix_reception_bookings_status_offer')
        batch_op.drop_index('ix_reception_bookings_slot_status')
        batch_op.drop_index(batch_op.f('ix_reception_bookings_member_id'))

    op.drop_table('reception_bookings')
    with op.batch_alter_table('reception_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_slots_day_id'))

    op.drop_table('reception_slots')
    with op.batch_alter_table('reception_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_days_starts_at'))
        batch_op.drop_index(batch_op.f('ix_reception_days_series_id'))
        batch_op.drop_index(batch_op.f('ix_reception_days_leader_id'))
        batch_op.drop_index(batch_op.f('ix_reception_days_day'))

    op.drop_table('reception_days')
    with op.batch_alter_table('reception_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_series_leader_id'))

    op.drop_table('reception_series')
