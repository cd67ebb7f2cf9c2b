"""Declarative base, shared-record columns and portable column types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Dialect, Index, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from app.core.common.markings import Releasability


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class PartnerSet(TypeDecorator[Releasability]):
    """A releasability list stored as ``,NATO,UN,`` so ``LIKE '%,UN,%'`` finds it."""

    impl = String(512)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Releasability):
            value = Releasability.parse(value)
        return value.to_storage()

    def process_result_value(self, value: str | None, dialect: Dialect) -> Releasability | None:
        if value is None:
            return None
        return Releasability.from_storage(value)


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


class SharedRecord:
    """Columns every record that is synchronised and marked carries (DESIGN §3)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hlc: Mapped[str] = mapped_column(String(64))
    origin_site: Mapped[str] = mapped_column(String(36))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    classification: Mapped[str] = mapped_column(String(64), default="UNCLASSIFIED")
    releasable_to: Mapped[Releasability] = mapped_column(
        PartnerSet, default=Releasability.parse("PUBLIC")
    )

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (Index(f"ix_{cls.__tablename__}_hlc", "hlc"),)  # type: ignore[attr-defined]

    # columns that are bookkeeping, not content, when a change is captured
    BOOKKEEPING = frozenset({"created_at", "updated_at", "hlc", "origin_site"})
