-- The users' Kafka-engine queue (logs_queue) and its view (logs_mv) are gone: connect-c writes
-- topic logs_4 straight into the storage table (topic2TableMap logs_4=logs).
CREATE DATABASE IF NOT EXISTS KafkaEngine;
CREATE TABLE IF NOT EXISTS KafkaEngine.logs (
    eventId UInt32,
    level LowCardinality(String),
    source LowCardinality(String),
    timestamp DateTime64(6),
    computer LowCardinality(String),
    user LowCardinality(String),
    message String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (eventId);
