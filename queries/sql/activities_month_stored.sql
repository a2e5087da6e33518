-- Whether the firm has any activity stored in a month (YYYYMM); a month with
-- none takes the staged rows without looking up stored ids.
SELECT count() > 0 FROM activities
WHERE firm = {firm:String} AND toYYYYMM(occurred_at) = {month:UInt32}
