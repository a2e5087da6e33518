package ingest

import "github.com/salesrecipe/salesrecipe"

// Column positions in schemas, per kind; TestSchemaPositions keeps them in step.
const (
	repID, repName, repEmail, repTeam, repManager = 0, 1, 2, 3, 4

	quotaRep, quotaStart, quotaPeriod, quotaAmount = 0, 1, 2, 3

	stageName, stagePosition, stageProbability, stageCategory = 0, 1, 2, 3

	actID, actRep, actKind, actOccurred, actAccount, actDeal = 0, 1, 2, 3, 4, 5

	dealID, dealRep, dealAccount, dealStage, dealStatus, dealAmount = 0, 1, 2, 3, 4, 5
	dealCreated, dealCloseDate, dealClosed, dealUpdated, dealSource = 6, 7, 8, 9, 10
)

func buildRep(r *row) salesrecipe.Rep {
	return salesrecipe.Rep{ID: r.text(repID), Name: r.text(repName), Email: r.text(repEmail),
		Team: r.text(repTeam), ManagerID: r.text(repManager)}
}

// buildQuota reads period as a grain (month, quarter) beside period_start, or as a period
// such as 2017-Q3 or 2017-07 that gives both (period_start may then be empty or the same day).
func buildQuota(r *row) salesrecipe.Quota {
	q := salesrecipe.Quota{RepID: r.text(quotaRep), PeriodStart: r.date(quotaStart),
		Period: salesrecipe.Grain(r.lower(quotaPeriod, false)), Amount: r.amount(quotaAmount)}
	label := r.text(quotaPeriod)
	p, err := salesrecipe.ParsePeriod(label)
	if err != nil {
		return q
	}
	if !q.PeriodStart.IsZero() && !q.PeriodStart.Equal(p.Start) {
		r.fail(quotaStart, r.text(quotaStart), "not the first day of period "+label+" ("+p.Start.Format("2006-01-02")+")")
	}
	q.Period, q.PeriodStart = p.Grain, p.Start
	return q
}

func buildStage(r *row) salesrecipe.Stage {
	return salesrecipe.Stage{Name: r.text(stageName), Position: r.integer(stagePosition),
		Probability: r.probability(stageProbability), Category: salesrecipe.ForecastCategory(r.lower(stageCategory, true))}
}

func buildActivity(r *row) salesrecipe.Activity {
	return salesrecipe.Activity{ID: r.text(actID), RepID: r.text(actRep), Kind: r.lower(actKind, false),
		OccurredAt: r.time(actOccurred), AccountID: r.text(actAccount), DealID: r.text(actDeal)}
}

func buildDeal(r *row) salesrecipe.Deal {
	return salesrecipe.Deal{ID: r.text(dealID), RepID: r.text(dealRep), AccountID: r.text(dealAccount),
		Stage: r.text(dealStage), Status: salesrecipe.DealStatus(r.lower(dealStatus, false)),
		Amount: r.amount(dealAmount), CreatedAt: r.time(dealCreated), CloseDate: r.date(dealCloseDate),
		ClosedAt: r.time(dealClosed), UpdatedAt: r.time(dealUpdated), Source: r.lower(dealSource, true)}
}
