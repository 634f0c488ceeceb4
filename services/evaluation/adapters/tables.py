"""Evaluation's tables (SQLAlchemy Core); their migrations are the revisions in ../migrations/.

`facts`, `profiles`, `credits`, `credit_history` and `daily_aqi` are the read model: built only from
events and dropped and rebuilt by a replay. `credit_repairs` is evaluation's own record (requests made to it);
`published_scorecards` remembers which finished months' scorecards were announced.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# Every consumed event evaluation reasons with, once per event id, as plain values (domain/facts.py).
facts = sa.Table(
    "facts",
    metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False, server_default=""),
    sa.Column("subject", sa.String(200), nullable=False, server_default=""),
    sa.Column("town", sa.String(100), nullable=False, server_default=""),
    # JSON with sorted keys, so the same event always stores the same text.
    sa.Column("data", sa.Text, nullable=False),
)
sa.Index("ix_facts_uscc", facts.c.uscc)
sa.Index("ix_facts_type_at", facts.c.type, facts.c.at)
sa.Index("ix_facts_subject", facts.c.subject)

# The registry's public view of each enterprise, derived from its registration and update facts.
profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("town", sa.String(100), nullable=False),
    sa.Column("grid", sa.String(100), nullable=False),
    sa.Column("industry", sa.String(20), nullable=False),
    sa.Column("permit_class", sa.String(20), nullable=False),
    sa.Column("radiation", sa.Boolean, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("ix_profiles_town", profiles.c.town)

# Each enterprise's current rating with its reasons (JSON), and the level last announced.
credits = sa.Table(
    "credits",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("score_level", sa.String(10), nullable=False),
    sa.Column("ceiling", sa.String(10), nullable=False, server_default=""),
    sa.Column("rules_version", sa.String(64), nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    sa.Column("town", sa.String(100), nullable=False, server_default=""),
    # The level and version of the last CreditChanged, so one is published only on a change.
    sa.Column("published", sa.String(80), nullable=False, server_default=""),
    # When the rating may change with no new event (a fact leaves the window, a version starts).
    sa.Column("next_change_at", sa.DateTime(timezone=True), nullable=True),
)
sa.Index("ix_credits_level_town", credits.c.level, credits.c.town)
sa.Index("ix_credits_next_change", credits.c.next_change_at)

credit_history = sa.Table(
    "credit_history",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("since", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("rules_version", sa.String(64), nullable=False),
)

credit_repairs = sa.Table(
    "credit_repairs",
    metadata,
    sa.Column("request_id", sa.String(36), primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=False),
    sa.Column("case_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("decided_by", sa.Text, nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)
sa.Index("ix_credit_repairs_uscc", credit_repairs.c.uscc)

# Scorecards of a finished period already announced (ScorecardPublished), so each goes out once.
published_scorecards = sa.Table(
    "published_scorecards",
    metadata,
    sa.Column("subject", sa.String(200), primary_key=True),
    sa.Column("period_start", sa.Date, primary_key=True),
    sa.Column("period_end", sa.Date, primary_key=True),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
)

# Air stations' daily AQI (monitoring's DailyAqiComputed), one row per station and China-time day:
# the highest revision monitoring published, ties broken by event id (domain/air_days.py).
daily_aqi = sa.Table(
    "daily_aqi",
    metadata,
    sa.Column("station_id", sa.String(64), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("town", sa.String(100), nullable=False, server_default=""),
    sa.Column("valid", sa.Boolean, nullable=False),
    sa.Column("aqi", sa.Integer, nullable=False),
    sa.Column("level", sa.SmallInteger, nullable=False),
    # Comma-separated, in the order HJ 633-2012 5.3 names them.
    sa.Column("primary_pollutants", sa.String(100), nullable=False, server_default=""),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    # Each indicator's published concentration, JSON {"PM25_24H": 38.0, ...} with sorted keys: the city's
    # daily AQI is computed from their means (domain/city_air.py). "{}" for an invalid day, and for rows
    # stored before concentrations were kept (evaluation_0151) until a replay refills them.
    sa.Column("concentrations", sa.Text, nullable=False, server_default="{}"),
)
sa.Index("ix_daily_aqi_day", daily_aqi.c.day)

READ_MODEL = (facts, profiles, credits, credit_history, daily_aqi)
