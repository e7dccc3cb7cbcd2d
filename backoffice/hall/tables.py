"""The hall's schema (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Alembic migrations under ``backoffice/hall/migrations`` create and change it; this module is what
the code queries. Every table is named ``hall_*`` so that the hall may share a database with
clearing (one PostgreSQL database for both) without a clash. Times are local time without an
offset (as clearing stores them), dates are ``DATE``, money integer fen. Personal data: an ID
number is kept as a keyed hash (lookup), a masked form (display) and sealed (AES-GCM, for the
clerk who needs it in full); form answers and complainants' contact details are sealed too.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["metadata"]

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s", "ck": "ck_%(table_name)s_%(constraint_name)s"})

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""An identity column: INTEGER PRIMARY KEY on SQLite (rowid), BIGINT on PostgreSQL."""

catalogue_state = sa.Table(
    "hall_catalogue_state", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("revision", sa.BigInteger, nullable=False),
)

departments = sa.Table(
    "hall_departments", metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("doc", sa.JSON, nullable=False),
)

categories = sa.Table(
    "hall_categories", metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("doc", sa.JSON, nullable=False),
)

matter_versions = sa.Table(
    "hall_matter_versions", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("department", sa.String(16), nullable=False),
    sa.Column("handling_mode", sa.String(16), nullable=False),
    sa.Column("doc", sa.JSON, nullable=False),
    sa.Column("search_keys", sa.JSON, nullable=True),
    sa.Column("effective_date", sa.Date, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=True),
    sa.UniqueConstraint("code", "version", name="uq_hall_matter_versions_code_version"),
    sa.CheckConstraint("status IN ('draft', 'published', 'superseded')", name="status"),
)

matters = sa.Table(
    "hall_matters", metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("published_id", Id, sa.ForeignKey("hall_matter_versions.id"), nullable=True),
    sa.Column("latest_version", sa.Integer, nullable=False),
)

files = sa.Table(
    "hall_files", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("media_type", sa.String(40), nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

counters = sa.Table(
    "hall_counters", metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

cases = sa.Table(
    "hall_cases", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(14), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("matter_code", sa.String(32), nullable=False),
    sa.Column("matter_version_id", Id, sa.ForeignKey("hall_matter_versions.id"), nullable=False),
    sa.Column("department", sa.String(16), nullable=False, index=True),
    sa.Column("handling_mode", sa.String(16), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("id_hash", sa.String(64), nullable=False, index=True),
    sa.Column("id_masked", sa.String(24), nullable=False),
    sa.Column("id_sealed", sa.LargeBinary, nullable=False),
    sa.Column("name_masked", sa.String(40), nullable=False),
    sa.Column("identity_source", sa.String(16), nullable=False),
    sa.Column("form_sealed", sa.LargeBinary, nullable=False),
    sa.Column("channel", sa.String(40), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("submitted_at", sa.DateTime, nullable=True),
    sa.Column("accepted_at", sa.DateTime, nullable=True),
    sa.Column("due_date", sa.Date, nullable=True),
    sa.Column("decided_at", sa.DateTime, nullable=True),
    sa.Column("decision", sa.String(16), nullable=True),
    sa.Column("closed_at", sa.DateTime, nullable=True),
    sa.Column("forwarded_to", sa.Text, nullable=True),
    sa.Column("supplements", sa.Integer, nullable=False),
    sa.Column("missing", sa.JSON, nullable=True),
)

case_reviews = sa.Table(
    "hall_case_reviews", metadata,
    sa.Column("case_id", Id, sa.ForeignKey("hall_cases.id"), primary_key=True),
    sa.Column("department", sa.String(16), primary_key=True),
    sa.Column("opinion", sa.String(16), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("reviewed_at", sa.DateTime, nullable=True),
)

case_materials = sa.Table(
    "hall_case_materials", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("case_id", Id, sa.ForeignKey("hall_cases.id"), nullable=False, index=True),
    sa.Column("material_id", sa.String(32), nullable=False),
    sa.Column("page", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("hall_files.sha256"), nullable=False),
    sa.Column("media_type", sa.String(40), nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("case_id", "material_id", "page", name="uq_hall_case_materials_page"),
)

case_events = sa.Table(
    "hall_case_events", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("case_id", Id, sa.ForeignKey("hall_cases.id"), nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("department", sa.String(16), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("data", sa.JSON, nullable=True),
)

applicant_documents = sa.Table(
    "hall_applicant_documents", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("id_hash", sa.String(64), nullable=False, index=True),
    sa.Column("reuse_kind", sa.String(32), nullable=False),
    sa.Column("pages", sa.JSON, nullable=False),
    sa.Column("from_case", sa.String(14), nullable=False),
    sa.Column("verified_at", sa.DateTime, nullable=False),
)

ratings = sa.Table(
    "hall_ratings", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("case_id", Id, sa.ForeignKey("hall_cases.id"), nullable=False, unique=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("text", sa.Text, nullable=True),
    sa.Column("channel", sa.String(40), nullable=False),
    sa.Column("department", sa.String(16), nullable=False, index=True),
    sa.Column("window", sa.String(16), nullable=True),
    sa.Column("matter_code", sa.String(32), nullable=False),
    sa.Column("rated_at", sa.DateTime, nullable=False),
    sa.Column("defaulted", sa.Boolean, nullable=False),
    sa.Column("excluded", sa.Boolean, nullable=False),
    sa.CheckConstraint("level BETWEEN 1 AND 5", name="level"),
)

work_orders = sa.Table(
    "hall_work_orders", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("rating_id", Id, sa.ForeignKey("hall_ratings.id"), nullable=False, unique=True),
    sa.Column("department", sa.String(16), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("callback_at", sa.DateTime, nullable=True),
    sa.Column("callback_by", sa.String(80), nullable=True),
    sa.Column("callback_note", sa.Text, nullable=True),
    sa.Column("outcome", sa.Text, nullable=True),
    sa.Column("resolved_at", sa.DateTime, nullable=True),
    sa.Column("appeal_reason", sa.Text, nullable=True),
    sa.Column("appeal_at", sa.DateTime, nullable=True),
    sa.Column("appeal_decision", sa.String(16), nullable=True),
    sa.Column("appeal_decided_at", sa.DateTime, nullable=True),
)

complaints = sa.Table(
    "hall_complaints", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(14), nullable=False, unique=True),
    sa.Column("name_masked", sa.String(40), nullable=False),
    sa.Column("phone_hash", sa.String(64), nullable=False),
    sa.Column("phone_masked", sa.String(20), nullable=False),
    sa.Column("contact_sealed", sa.LargeBinary, nullable=False),
    sa.Column("department", sa.String(16), nullable=True, index=True),
    sa.Column("case_number", sa.String(14), nullable=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("filed_at", sa.DateTime, nullable=False),
    sa.Column("answer", sa.Text, nullable=True),
)

complaint_steps = sa.Table(
    "hall_complaint_steps", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("complaint_id", Id, sa.ForeignKey("hall_complaints.id"), nullable=False, index=True),
    sa.Column("step", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
)

audit_log = sa.Table(
    "hall_audit_log", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("department", sa.String(16), nullable=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("object", sa.String(64), nullable=False),
    sa.Column("detail", sa.JSON, nullable=True),
)
