"""the mail outbox and readers' reply notifications

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 03:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('unsubscribe_url', sa.String(length=500), nullable=True),
        sa.Column('about_comment_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('give_up_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_by', sa.String(length=32), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['about_comment_id'], ['comment.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_outbox_mail_due', 'outbox_mail', ['status', 'next_attempt_at'])
    op.create_index('ix_outbox_mail_recipient', 'outbox_mail', ['recipient'])
    op.create_index('ix_outbox_mail_about_comment_id', 'outbox_mail', ['about_comment_id'])
    op.create_table(
        'notify_address',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('email'),
    )
    op.create_table(
        'notify_request',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('email'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_table(
        'notify_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
    )
    op.create_index('ix_notify_subscription_comment_id', 'notify_subscription', ['comment_id'])
    op.create_index('ix_notify_subscription_email', 'notify_subscription', ['email'])


def downgrade():
    op.drop_table('notify_subscription')
    op.drop_table('notify_request')
    op.drop_table('notify_address')
    op.drop_table('outbox_mail')
