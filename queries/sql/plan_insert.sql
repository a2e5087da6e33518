-- Stores one saved version of a rep's business plan; every save is kept (plan_hash tells two saves of
-- one millisecond apart, see migration 0013).
INSERT INTO plans (firm, rep_id, from_month, months, multiple, saved_at, saved_by, plan, plan_hash)
SELECT {firm:String}, {rep:String}, {from:Date32}, {months:UInt8}, {multiple:Float64},
       {saved_at:DateTime64(3)}, {saved_by:String}, {plan:String}, cityHash64({plan:String})
