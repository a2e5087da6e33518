-- Stores one forecast call; calls are never updated, a new submission is a new row.
INSERT INTO calls (firm, period, period_start, rep_id, team, commit, best_case, note, submitted_by, submitted_at)
VALUES ({firm:String}, {period:String}, {period_start:Date32}, {rep_id:String}, {team:String}, {commit:Decimal(18, 2)},
        {best_case:Decimal(18, 2)}, {note:String}, {submitted_by:String}, {submitted_at:DateTime64(6)})
