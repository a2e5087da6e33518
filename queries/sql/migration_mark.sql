-- Records that a migration started (dirty = 1) or finished (dirty = 0).
INSERT INTO schema_migrations (version, name, dirty, at)
VALUES ({version:UInt32}, {name:String}, {dirty:UInt8}, now64(9))
