"""supply: item catalogue, sites, standards, stock ledger, shipments, requests, 3W presence

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=100), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("admin1", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=False),
        sa.Column("in_need", sa.Integer(), nullable=True),
        sa.Column("affected", sa.Integer(), nullable=True),
        sa.Column("targeted", sa.Integer(), nullable=True),
        sa.Column("reached", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_presence_hlc", "presence", ["hlc"], unique=False)
    op.create_index("ix_presence_place", "presence", ["place"], unique=False)
    op.create_table(
        "shipment",
        sa.Column("waybill", sa.String(length=64), nullable=False),
        sa.Column("origin_site_id", sa.String(length=36), nullable=True),
        sa.Column("origin_name", sa.String(length=200), nullable=False),
        sa.Column("destination_site_id", sa.String(length=36), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("departure", sa.DateTime(timezone=True), nullable=True),
        sa.Column("eta", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shipment_hlc", "shipment", ["hlc"], unique=False)
    op.create_index("ix_shipment_status", "shipment", ["status"], unique=False)
    op.create_index("ix_shipment_waybill", "shipment", ["waybill"], unique=True)
    op.create_table(
        "shipment_line",
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=True),
        sa.Column("discrepancy_reason", sa.String(length=32), nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("expiry", sa.DateTime(timezone=True), nullable=True),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shipment_line_hlc", "shipment_line", ["hlc"], unique=False)
    op.create_index("ix_shipment_line_request", "shipment_line", ["request_id"], unique=False)
    op.create_index("ix_shipment_line_shipment", "shipment_line", ["shipment_id"], unique=False)
    op.create_table(
        "stock_movement",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("expiry", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipment_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_stock_movement_site_item",
        "stock_movement",
        ["site_id", "item_id", "kind", "at", "quantity"],
        unique=False,
    )
    op.create_table(
        "supply_item",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("pack_name", sa.String(length=32), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("standard", sa.String(length=32), nullable=True),
        sa.Column("kcal_per_unit", sa.Integer(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_supply_item_code", "supply_item", ["code"], unique=True)
    op.create_index("ix_supply_item_hlc", "supply_item", ["hlc"], unique=False)
    op.create_table(
        "supply_request",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("required_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_supply_request_hlc", "supply_request", ["hlc"], unique=False)
    op.create_index(
        "ix_supply_request_site_item", "supply_request", ["site_id", "item_id"], unique=False
    )
    op.create_table(
        "supply_site",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("admin1", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=False),
        sa.Column("people_in_need", sa.Integer(), nullable=True),
        sa.Column("people_targeted", sa.Integer(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_supply_site_hlc", "supply_site", ["hlc"], unique=False)
    op.create_index("ix_supply_site_name", "supply_site", ["name"], unique=False)
    op.create_table(
        "supply_standard",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_supply_standard_hlc", "supply_standard", ["hlc"], unique=False)
    op.create_index("ix_supply_standard_key", "supply_standard", ["key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_supply_standard_key", table_name="supply_standard")
    op.drop_index("ix_supply_standard_hlc", table_name="supply_standard")
    op.drop_table("supply_standard")
    op.drop_index("ix_supply_site_name", table_name="supply_site")
    op.drop_index("ix_supply_site_hlc", table_name="supply_site")
    op.drop_table("supply_site")
    op.drop_index("ix_supply_request_site_item", table_name="supply_request")
    op.drop_index("ix_supply_request_hlc", table_name="supply_request")
    op.drop_table("supply_request")
    op.drop_index("ix_supply_item_hlc", table_name="supply_item")
    op.drop_index("ix_supply_item_code", table_name="supply_item")
    op.drop_table("supply_item")
    op.drop_index("ix_stock_movement_site_item", table_name="stock_movement")
    op.drop_table("stock_movement")
    op.drop_index("ix_shipment_line_shipment", table_name="shipment_line")
    op.drop_index("ix_shipment_line_request", table_name="shipment_line")
    op.drop_index("ix_shipment_line_hlc", table_name="shipment_line")
    op.drop_table("shipment_line")
    op.drop_index("ix_shipment_waybill", table_name="shipment")
    op.drop_index("ix_shipment_status", table_name="shipment")
    op.drop_index("ix_shipment_hlc", table_name="shipment")
    op.drop_table("shipment")
    op.drop_index("ix_presence_place", table_name="presence")
    op.drop_index("ix_presence_hlc", table_name="presence")
    op.drop_table("presence")
