-- Records a step of a load that swaps partitions.
INSERT INTO load_journal (firm, kind, token, phase, months, rows_table, daily_table, at)
VALUES ({firm:String}, {kind:String}, {token:String}, {phase:String}, {months:Array(UInt32)},
        {rows:String}, {daily:String}, now64(6))
