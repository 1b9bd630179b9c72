kc_fuzz_target(group_wire kc_group)
