-- The storage tables of the telemetry schema module; the Kafka-engine queue tables and their
-- materialized views are replaced by connect-c's ClickHouse sink.
CREATE DATABASE IF NOT EXISTS telemetry;
CREATE TABLE IF NOT EXISTS telemetry.node_data (
    node_name String, system_ip String, mgmt_ip String, timestamp DateTime, batch_id String
) ENGINE = MergeTree ORDER BY (node_name, timestamp) TTL timestamp + INTERVAL 6 MONTH;
CREATE TABLE IF NOT EXISTS telemetry.interface_data (
    node_name String, interface_name String, interface_type String,
    subinterface_index String, timestamp DateTime, batch_id String
) ENGINE = MergeTree ORDER BY (node_name, interface_name, timestamp)
  TTL timestamp + INTERVAL 6 MONTH;
CREATE TABLE IF NOT EXISTS telemetry.address_data (
    node_name String, interface_name String, subinterface_index String, address_ip_prefix String,
    origin String, status String, timestamp DateTime, batch_id String
) ENGINE = MergeTree ORDER BY (node_name, interface_name, address_ip_prefix, timestamp)
  TTL timestamp + INTERVAL 6 MONTH;
