-- Every deal that was in the period's pipeline at {start} (open, close_date in
-- [from, to)), is in it at {end}, or closed in [start, end], with its state at
-- both times (state = the latest version with updated_at <= that time).
SELECT deal_id, rep_id, account_id, existed,
       s_status, s_amount, s_close,
       e_status, e_amount, e_close, e_closed
FROM (
    SELECT deal_id,
           argMax(rep_id, (updated_at, 1 - inferred)) AS rep_id,
           argMax(account_id, (updated_at, 1 - inferred)) AS account_id,
           countIf(updated_at <= {start:DateTime64(3)}) > 0 AS existed,
           argMaxIf(status, (updated_at, 1 - inferred), updated_at <= {start:DateTime64(3)}) AS s_status,
           toFloat64(argMaxIf(amount, (updated_at, 1 - inferred), updated_at <= {start:DateTime64(3)})) AS s_amount,
           argMaxIf(close_date, (updated_at, 1 - inferred), updated_at <= {start:DateTime64(3)}) AS s_close,
           argMax(status, (updated_at, 1 - inferred)) AS e_status,
           toFloat64(argMax(amount, (updated_at, 1 - inferred))) AS e_amount,
           argMax(close_date, (updated_at, 1 - inferred)) AS e_close,
           argMax(tuple(closed_at), (updated_at, 1 - inferred)).1 AS e_closed
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {end:DateTime64(3)}
    GROUP BY deal_id
)
WHERE (existed AND s_status = 'open' AND s_close >= {from:Date32} AND s_close < {to:Date32})
   OR (e_status = 'open' AND e_close >= {from:Date32} AND e_close < {to:Date32})
   OR (e_status IN ('won', 'lost') AND e_closed IS NOT NULL
       AND e_closed >= {start:DateTime64(3)} AND e_closed <= {end:DateTime64(3)})
ORDER BY deal_id
