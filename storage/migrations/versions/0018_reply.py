"""reply: a task note may carry evidence (a photo or a document sent with its caption as the note), kept as
Telegram's file id, so the secretary is re-sent the file itself without the bot storing its bytes.

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('evidence_file_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('evidence_name', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('task_notes', schema=None) as batch_op:
        batch_op.drop_column('evidence_name')
        batch_op.drop_column('evidence_file_id')
        batch_op.drop_column('evidence_kind')
