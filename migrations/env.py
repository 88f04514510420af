"""Alembic environment: the URL comes from the app's config (DATABASE_URL)."""
from alembic import context

from app import models  # noqa: F401  (every table registered)
from app.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
if not url:
    from app import create_app

    url = create_app().config["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
