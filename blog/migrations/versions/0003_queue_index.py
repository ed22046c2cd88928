"""an index for the moderation queue and its counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_status_clinic_created', ['status', 'is_clinic', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_status_clinic_created')
