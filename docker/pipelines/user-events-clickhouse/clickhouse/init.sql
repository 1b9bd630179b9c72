CREATE DATABASE IF NOT EXISTS bitpin;
CREATE TABLE IF NOT EXISTS bitpin.events (
    user_id String,
    event_type LowCardinality(String),
    timestamp DateTime64(3, 'UTC'),
    session_id String,
    device LowCardinality(String),
    inserted_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree()
ORDER BY (timestamp, user_id)
PARTITION BY toYYYYMMDD(timestamp)
SETTINGS index_granularity = 8192;
