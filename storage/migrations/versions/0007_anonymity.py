"""anonymity: sealed survey progress and ballots, sealed writer actions of feedback.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('survey_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed', sa.LargeBinary(), nullable=True))
    # SQLite rebuilds the table: it must stay WITHOUT ROWID (no storage order of submissions).
    with op.batch_alter_table('survey_ballots', schema=None, table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.add_column(sa.Column('sealed', sa.LargeBinary(), nullable=True))
        batch_op.alter_column('submitted_on', existing_type=sa.Date(), nullable=True)
        batch_op.alter_column('answers', existing_type=sa.JSON(), nullable=True)
    op.create_table('feedback_pending',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_pending')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('feedback_pending')
    with op.batch_alter_table('survey_ballots', schema=None, table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.drop_column('sealed')
    with op.batch_alter_table('survey_progress', schema=None) as batch_op:
        batch_op.drop_column('sealed')
