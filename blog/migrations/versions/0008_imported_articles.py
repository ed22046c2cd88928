"""imported articles and comments remember their origin; old links of imported articles

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f('ix_article_origin'), ['origin'], unique=False)
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=600), nullable=True))
        # An index, not a constraint: SQLite adds it in place, where a constraint would rebuild the table
        # (and drop its triggers, blog.core.public_state).
        batch_op.create_index(batch_op.f('ix_comment_origin'), ['origin'], unique=True)
    op.create_table(
        'old_link',
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_old_link_article_id_article'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('path', name=op.f('pk_old_link')),
    )
    with op.batch_alter_table('old_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_old_link_article_id'), ['article_id'], unique=False)


def _drop_column(table: str, column: str) -> None:
    """ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+): batch mode would rebuild the table and
    drop its triggers (blog.core.public_state)."""
    op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def downgrade():
    op.drop_table('old_link')
    op.drop_index(op.f('ix_comment_origin'), table_name='comment')
    _drop_column('comment', 'origin')
    op.drop_index(op.f('ix_article_origin'), table_name='article')
    _drop_column('article', 'origin')
