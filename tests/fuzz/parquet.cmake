# tests/fuzz/parquet.cmake: JSON lines -> Parquet (connectors/parquet), see fuzz_parquet.c.
kc_fuzz_target(parquet kc_parquet)
