"""feedback: tickets, their threads and units, sealed reply routes, monthly digests, the audit queue.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import storage.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_digests',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('queued_at', storage.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('period', name=op.f('pk_feedback_digests'))
    )
    op.create_table('feedback_audit_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_audit_queue'))
    )
    with op.batch_alter_table('feedback_audit_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_audit_queue_day'), ['day'], unique=False)

    op.create_table('feedback_tickets',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('writer_member_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('attachment_kind', sa.String(length=16), nullable=True),
    sa.Column('attachment_file_id', sa.String(length=255), nullable=True),
    sa.Column('attachment_name', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('deadline_on', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('first_reply_at', storage.base.UTCDateTime(), nullable=True),
    sa.Column('answered_in_time', sa.Boolean(), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('escalations', sa.Integer(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('measure', sa.Text(), nullable=True),
    sa.Column('pdca_done', sa.Boolean(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['members.id'], name=op.f('fk_feedback_tickets_assignee_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_feedback_tickets_unit_id_units'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['writer_member_id'], ['members.id'], name=op.f('fk_feedback_tickets_writer_member_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_tickets'))
    )
    with op.batch_alter_table('feedback_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_tickets_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_tickets_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_tickets_status'), ['status'], unique=False)

    op.create_table('feedback_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.String(length=16), nullable=False),
    sa.Column('author', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('staff_member_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['staff_member_id'], ['members.id'], name=op.f('fk_feedback_messages_staff_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['feedback_tickets.id'], name=op.f('fk_feedback_messages_ticket_id_feedback_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_messages'))
    )
    with op.batch_alter_table('feedback_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_messages_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('feedback_routes',
    sa.Column('ticket_id', sa.String(length=16), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['feedback_tickets.id'], name=op.f('fk_feedback_routes_ticket_id_feedback_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_feedback_routes'))
    )
    with op.batch_alter_table('feedback_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_routes_expires_on'), ['expires_on'], unique=False)

    op.create_table('feedback_ticket_units',
    sa.Column('ticket_id', sa.String(length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['feedback_tickets.id'], name=op.f('fk_feedback_ticket_units_ticket_id_feedback_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_feedback_ticket_units_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'unit_id', name=op.f('pk_feedback_ticket_units'))
    )
    with op.batch_alter_table('feedback_ticket_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_ticket_units_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('feedback_ticket_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_ticket_units_unit_id'))

    op.drop_table('feedback_ticket_units')
    with op.batch_alter_table('feedback_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_routes_expires_on'))

    op.drop_table('feedback_routes')
    with op.batch_alter_table('feedback_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_messages_ticket_id'))

    op.drop_table('feedback_messages')
    with op.batch_alter_table('feedback_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_tickets_status'))
        batch_op.drop_index(batch_op.f('ix_feedback_tickets_received_on'))
        batch_op.drop_index(batch_op.f('ix_feedback_tickets_category'))

    op.drop_table('feedback_tickets')
    op.drop_table('feedback_digests')
    with op.batch_alter_table('feedback_audit_queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_audit_queue_day'))

    op.drop_table('feedback_audit_queue')
