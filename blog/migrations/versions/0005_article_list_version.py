"""a version of the list of articles, bumped by triggers, so the index need not count them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 15:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Frozen copies of blog.models.ARTICLE_LIST_TRIGGERS as of this revision.
_BUMP = {"sqlite": "UPDATE article_list_version SET version = random()",
         "postgresql": "UPDATE article_list_version SET version = floor(random() * 2147483647)::integer"}
SQLITE_TRIGGERS = {"insert": "INSERT", "delete": "DELETE", "publish": "UPDATE OF published"}


def upgrade():
    op.create_table(
        'article_list_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_list_version')),
    )
    op.execute("INSERT INTO article_list_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        for name, event_clause in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER article_list_changed_by_{name} AFTER {event_clause} ON article "
                       f"BEGIN {_BUMP['sqlite']}; END")
    else:
        op.execute("CREATE OR REPLACE FUNCTION article_list_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {_BUMP['postgresql']}; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER article_list_changed AFTER INSERT OR DELETE OR UPDATE OF published OR TRUNCATE "
                   "ON article FOR EACH STATEMENT EXECUTE FUNCTION article_list_changed()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS article_list_changed_by_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS article_list_changed ON article")
        op.execute("DROP FUNCTION IF EXISTS article_list_changed()")
    op.drop_table('article_list_version')
