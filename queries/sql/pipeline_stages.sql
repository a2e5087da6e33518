-- Open deals per rep x stage at as_of (each deal's latest version with
-- updated_at <= as_of), all of them and those expected to close in [from, to), and how many of
-- each have an unknown amount (stored as 0: every inferred version, and open opportunities a CRM
-- exported without a value).
SELECT rep_id, stage,
       count() AS open_deals, sum(amt) AS open_amount,
       countIf(close_date >= {from:Date32} AND close_date < {to:Date32}) AS deals_in_period,
       sumIf(amt, close_date >= {from:Date32} AND close_date < {to:Date32}) AS amount_in_period,
       countIf(amt = 0) AS unknown_amount,
       countIf(amt = 0 AND close_date >= {from:Date32} AND close_date < {to:Date32}) AS unknown_in_period
FROM (
    SELECT argMax(rep_id, (updated_at, 1 - inferred)) AS rep_id,
           argMax(stage, (updated_at, 1 - inferred)) AS stage,
           argMax(status, (updated_at, 1 - inferred)) AS status,
           toFloat64(argMax(amount, (updated_at, 1 - inferred))) AS amt,
           argMax(close_date, (updated_at, 1 - inferred)) AS close_date
    FROM deal_versions
    WHERE firm = {firm:String} AND updated_at <= {as_of:DateTime64(3)}
    GROUP BY deal_id
)
WHERE status = 'open'
GROUP BY rep_id, stage
ORDER BY rep_id, stage
