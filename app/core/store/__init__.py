"""The local SQLAlchemy store: models, engine, migrations, operations, queries."""
