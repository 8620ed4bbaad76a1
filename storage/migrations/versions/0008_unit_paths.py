"""unit paths: a unit is identified by its path (`Plant2/Office`), no longer by its name alone.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('path', sa.String(length=1000), nullable=True))
    units = sa.table('units', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('parent_id', sa.Integer), sa.column('path', sa.String))
    conn = op.get_bind()
    rows = {uid: (name, parent) for uid, name, parent in conn.execute(sa.select(units.c.id, units.c.name,
                                                                                units.c.parent_id))}
    for uid in rows:
        parts, current, seen = [], uid, set()
        while current is not None and current not in seen:
            seen.add(current)
            name, current = rows[current]
            parts.append(name)
        conn.execute(units.update().where(units.c.id == uid).values(path="/".join(reversed(parts))))
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.alter_column('path', existing_type=sa.String(length=1000), nullable=False)
        batch_op.drop_constraint('uq_units_kind_name', type_='unique')
        batch_op.create_unique_constraint('uq_units_kind_path', ['kind', 'path'])


def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint('uq_units_kind_path', type_='unique')
        batch_op.create_unique_constraint('uq_units_kind_name', ['kind', 'name'])
        batch_op.drop_column('path')
