package synth

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

const sourcingRule = "activity a sources deal d iff a.deal_id = d and a.occurred_at = d.created_at; " +
	"other activities with a deal_id touch an open deal: ordinary activities of their kind logged against it, which neither " +
	"add activity nor change the deal, so counts do not depend on deals and value_per_activity is per activity of the kind, " +
	"touches included; deals no activity sources are inbound (baseline)"

// Truth is the known recipe of a generated firm, written as truth.json.
type Truth struct {
	Seed                int64           `json:"seed"`
	Config              Config          `json:"config"`
	Start               time.Time       `json:"start"`
	End                 time.Time       `json:"end"`
	Kinds               []KindTruth     `json:"kinds"`
	BaselinePerRepMonth float64         `json:"baseline_per_rep_month"` // firm mean of RepTruth.BaselinePerMonth over employed rep-months
	MaxLag              int             `json:"max_lag"`                // months at the start whose revenue lacks earlier activity
	Stages              []StageTruth    `json:"stages"`
	StageMiscalibration float64         `json:"stage_miscalibration"`      // overall factor of the file's probabilities over the true rates
	CloseDateSlipShare  float64         `json:"close_date_slip_share"`     // share of deals with an optimistic close date that is pushed out
	StageBlindWin       float64         `json:"stage_blind_win,omitempty"` // with Config.StageBlindWins, every deal's P(win) at skill 1
	AmountChangeShare   float64         `json:"amount_change_share"`       // share of deals whose amount changes once
	AmountSigma         float64         `json:"amount_sigma"`              // lognormal sigma of deal amounts
	SkillSigma          float64         `json:"skill_sigma"`               // lognormal sigma of rep skill
	Seasonality         [12]float64     `json:"seasonality"`               // activity volume multiplier, January first
	Mix                 MixTruth        `json:"mix"`
	Reps                []RepTruth      `json:"reps"`
	Shortfall           *ShortfallTruth `json:"shortfall,omitempty"`
	Rows                RowCounts       `json:"rows"`
	Sourcing            string          `json:"sourcing"`
}

// KindTruth is the true value and delay profile of one activity kind.
type KindTruth struct {
	Kind              string     `json:"kind"`
	ValuePerActivity  float64    `json:"value_per_activity"` // firm-average expected won revenue per activity
	Lags              []LagShare `json:"lags"`
	SourceProbability float64    `json:"source_probability"`
	MeanAmount        float64    `json:"mean_amount"`
	EntryStage        string     `json:"entry_stage,omitempty"`
	WinProbability    float64    `json:"win_probability"` // of a sourced deal, averaged over the firm's activities
	FirstMonth        int        `json:"first_month"`
}

// MixTruth describes how each rep's activity mix varies around the firm's shares.
type MixTruth struct {
	RepSigma         float64              `json:"rep_sigma"`         // lognormal sigma of a rep's lasting preference per kind, volume-neutral
	MonthSigma       float64              `json:"month_sigma"`       // lognormal sigma of a rep's month-to-month swing per kind
	MonthPersistence float64              `json:"month_persistence"` // AR(1) coefficient of the swing on the log scale
	CampaignSigma    float64              `json:"campaign_sigma"`    // lognormal sigma of the firm-wide campaign factors
	Campaigns        map[string][]float64 `json:"campaigns"`         // per kind, the campaign factor of each history month
}

// LagShare is the share of a kind's revenue that closes lag months after the activity.
type LagShare struct {
	Lag   int     `json:"lag"`
	Share float64 `json:"share"`
}

// StageTruth compares a stage's file probability with its true win rate.
type StageTruth struct {
	Stage       string  `json:"stage"`
	Position    int     `json:"position"`
	Category    string  `json:"category"`
	Probability float64 `json:"probability"`   // as written in stages.csv
	TrueWinRate float64 `json:"true_win_rate"` // P(won | ever in stage), weighted by the firm's expected deals
	Conversion  float64 `json:"conversion"`    // P(next stage | in stage); for negotiation, P(won) at skill 1 (with stage-blind wins, from any stage)
}

// RepTruth holds one rep's hidden parameters.
type RepTruth struct {
	RepID            string             `json:"rep_id"`
	Team             string             `json:"team"`
	ManagerID        string             `json:"manager_id"`
	Skill            float64            `json:"skill"`
	ActivitiesPerDay float64            `json:"activities_per_day"`
	BaselinePerMonth float64            `json:"baseline_per_month"` // expected inbound won revenue per full employed month
	JoinMonth        int                `json:"join_month"`
	LeaveMonth       int                `json:"leave_month"` // first month no longer employed; Months if never
	OffMonths        []int              `json:"off_months"`
	Quota            float64            `json:"quota"` // monthly quota at full ramp
	ValuePerActivity map[string]float64 `json:"value_per_activity"`
	ActivityShare    map[string]float64 `json:"activity_share"` // expected share of the rep's activities by kind over the history
}

// ShortfallTruth names the rep planted far below quota and the period in which it is.
type ShortfallTruth struct {
	RepID       string    `json:"rep_id"`
	PeriodStart time.Time `json:"period_start"`
	Quota       float64   `json:"quota"`
}

// RowCounts counts the rows written to each file.
type RowCounts struct {
	Reps         int64 `json:"reps"`
	Quotas       int64 `json:"quotas"`
	Stages       int64 `json:"stages"`
	Activities   int64 `json:"activities"`
	Deals        int64 `json:"deals"`
	DealVersions int64 `json:"deal_versions"`
}

// ReadTruth decodes a truth.json.
func ReadTruth(r io.Reader) (Truth, error) {
	var t Truth
	if err := json.NewDecoder(r).Decode(&t); err != nil {
		return Truth{}, fmt.Errorf("synth: decode truth: %w", err)
	}
	return t, nil
}

// expectedCounts returns each rep's expected activities of each kind over the history.
func expectedCounts(cal *calendar, f *firm, reps []rep) [][]float64 {
	counts := make([][]float64, len(reps))
	w := make([]float64, len(f.kinds))
	for i := range reps {
		counts[i] = make([]float64, len(f.kinds))
		for m := range cal.hist {
			mo := &cal.months[m]
			base := reps[i].rate * reps[i].intensity(m) * f.season[mo.cal] * float64(mo.avail) / workSec
			kindWeights(f, &reps[i], m, w)
			for k := range f.kinds {
				counts[i][k] += base * w[k]
			}
		}
	}
	return counts
}

// expectedInbound returns each rep's expected inbound deals closing within the history.
func expectedInbound(cal *calendar, reps []rep) []float64 {
	inbound := make([]float64, len(reps))
	for i := range reps {
		for m := reps[i].join; m < reps[i].leave; m++ {
			inbound[i] += reps[i].baseRate * cal.months[m].availShare()
		}
	}
	return inbound
}

// solveValues sets each kind's firm-average win probability and value per activity.
func (f *firm) solveValues(counts [][]float64, reps []rep) {
	for k := range f.kinds {
		km := &f.kinds[k]
		num, den := 0.0, 0.0
		for i := range reps {
			num += counts[i][k] * f.winFrom(km.entry, reps[i].skill)
			den += counts[i][k]
		}
		switch {
		case km.p == 0:
			num, den = 0, 1
		case den == 0:
			num, den = f.meanWin(km.entry, reps), 1
		}
		km.win = num / den
		km.value = km.p * km.mean * km.win
	}
}

func (f *firm) meanWin(s int, reps []rep) float64 {
	sum := 0.0
	for i := range reps {
		sum += f.winFrom(s, reps[i].skill)
	}
	return sum / float64(len(reps))
}

// solveStageRates sets P(won | ever in stage) weighted by the firm's expected deals per rep.
func (f *firm) solveStageRates(counts [][]float64, inbound []float64, reps []rep) {
	for s := range stWon {
		num, den := 0.0, 0.0
		for i := range reps {
			w := inbound[i] * f.reach(baselineEntry, s)
			for k, km := range f.kinds {
				w += counts[i][k] * km.p * f.reach(km.entry, s)
			}
			num += w * f.winFrom(s, reps[i].skill)
			den += w
		}
		if den == 0 {
			num, den = f.meanWin(s, reps), 1
		}
		f.trueRate[s] = num / den
	}
	f.trueRate[stWon], f.trueRate[stLost] = 1, 0
}

// baselinePerMonth is a rep's expected inbound won revenue in a full employed month.
func (f *firm) baselinePerMonth(r *rep) float64 {
	return r.baseRate * f.baseAmount * f.winFrom(baselineEntry, r.skill)
}

// truth assembles the recipe of the generated firm.
func (g *generator) truth() Truth {
	t := Truth{
		Seed: g.cfg.Seed, Config: g.cfg, Start: g.cfg.Start(), End: g.cfg.End.UTC(),
		MaxLag: g.firm.maxLag, StageMiscalibration: g.firm.miscal, StageBlindWin: g.firm.blindWin,
		CloseDateSlipShare: g.firm.slipShare, AmountChangeShare: g.firm.amountChange,
		AmountSigma: g.firm.amountSigma, SkillSigma: g.firm.skillSigma, Seasonality: g.firm.season,
		Rows: g.rows, Sourcing: sourcingRule,
	}
	t.Kinds = g.kindTruths()
	t.Mix = g.mixTruth()
	t.Stages = g.stageTruths()
	t.Reps, t.BaselinePerRepMonth = g.repTruths()
	if g.cfg.Shortfall {
		r := &g.reps[0]
		t.Shortfall = &ShortfallTruth{RepID: r.id, PeriodStart: g.periodStart(g.cal.hist - 1), Quota: g.quota(r, g.cal.hist-1)}
	}
	return t
}

func (g *generator) kindTruths() []KindTruth {
	names := stageNames()
	kinds := make([]KindTruth, len(g.firm.kinds))
	for k, km := range g.firm.kinds {
		kt := KindTruth{Kind: km.name, ValuePerActivity: km.value, SourceProbability: km.p,
			MeanAmount: km.mean, WinProbability: km.win, FirstMonth: km.first}
		if km.p > 0 {
			kt.EntryStage = names[km.entry]
		}
		for l, s := range km.lags {
			kt.Lags = append(kt.Lags, LagShare{Lag: l, Share: s})
		}
		kinds[k] = kt
	}
	return kinds
}

func (g *generator) stageTruths() []StageTruth {
	names, cats := stageNames(), stageCategories()
	stages := make([]StageTruth, nStages)
	for s := range stages {
		stages[s] = StageTruth{Stage: names[s], Position: s + 1, Category: cats[s],
			Probability: g.firm.fileProb[s], TrueWinRate: g.firm.trueRate[s]}
		if s < stWon {
			stages[s].Conversion = g.firm.conv[s]
		}
		if s == stNegotiation && g.firm.blindWin > 0 {
			stages[s].Conversion = g.firm.blindWin
		}
	}
	return stages
}

// mixTruth reports the spread of the activity mix and the campaign factors by kind.
func (g *generator) mixTruth() MixTruth {
	mm := &g.firm.mix
	t := MixTruth{RepSigma: mm.repSigma, MonthSigma: mm.monthSigma, MonthPersistence: mm.monthPersist,
		CampaignSigma: mm.campaignSigma, Campaigns: make(map[string][]float64, len(g.firm.kinds))}
	for k, km := range g.firm.kinds {
		c := make([]float64, g.cal.hist)
		for m := range c {
			c[m] = mm.campaign[m*len(g.firm.kinds)+k]
		}
		t.Campaigns[km.name] = c
	}
	return t
}

// repTruths returns each rep's parameters and the firm's mean baseline per employed rep-month.
func (g *generator) repTruths() ([]RepTruth, float64) {
	out := make([]RepTruth, len(g.reps))
	sum, months := 0.0, 0
	for i := range g.reps {
		r := &g.reps[i]
		out[i] = RepTruth{RepID: r.id, Team: r.team, ManagerID: r.manager, Skill: r.skill,
			ActivitiesPerDay: r.rate, BaselinePerMonth: g.firm.baselinePerMonth(r),
			JoinMonth: r.join, LeaveMonth: r.leave, OffMonths: []int{}, Quota: r.quota,
			ValuePerActivity: make(map[string]float64, len(g.firm.kinds))}
		for m, off := range r.off {
			if off {
				out[i].OffMonths = append(out[i].OffMonths, m)
			}
		}
		out[i].ActivityShare = activityShares(&g.firm, g.counts[i])
		for _, km := range g.firm.kinds {
			out[i].ValuePerActivity[km.name] = km.p * km.mean * g.firm.winFrom(km.entry, r.skill)
		}
		sum += out[i].BaselinePerMonth * float64(r.leave-r.join)
		months += r.leave - r.join
	}
	return out, sum / float64(months)
}

// activityShares turns one rep's expected counts into shares by kind (all zero for a rep with no activity).
func activityShares(f *firm, counts []float64) map[string]float64 {
	total := 0.0
	for _, c := range counts {
		total += c
	}
	shares := make(map[string]float64, len(f.kinds))
	for k, km := range f.kinds {
		shares[km.name] = 0
		if total > 0 {
			shares[km.name] = counts[k] / total
		}
	}
	return shares
}
