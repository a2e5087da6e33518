package forecast

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
)

// Forecaster forecasts a firm's period from the latest stored recipe and the data known at a moment.
type Forecaster struct {
	Store   Store
	Now     func() time.Time // clock for snapshots and fits; nil means time.Now
	Options model.Options    // recipe options when it has to fit
	// SaveFailed, when set, makes the writes a forecast does on the side optional: a failed
	// save of the run's snapshot ("snapshot") or of the recipe it fitted ("recipe") is passed
	// to it and the forecast is still returned. Nil means such a failure fails the forecast.
	SaveFailed func(ctx context.Context, what string, err error)
}

// Request asks for the forecast of one period as of one moment.
type Request struct {
	Firm   string
	Period salesrecipe.Period
	AsOf   time.Time
	Refit  bool // fit on the data known at AsOf even when a stored recipe exists
	NoSave bool // do not store the run as a snapshot
}

// Forecast forecasts every rep, team and the firm, and stores the run as a snapshot.
func (fc *Forecaster) Forecast(ctx context.Context, req Request) (*Forecast, error) {
	m, ref, err := fc.model(ctx, req)
	if err != nil {
		return nil, err
	}
	reps, err := fc.Store.Reps(ctx, req.Firm)
	if err != nil {
		return nil, err
	}
	quotas, err := periodQuotas(ctx, fc.Store, req.Firm, req.Period)
	if err != nil {
		return nil, err
	}
	extra := make([]string, 0, len(quotas))
	for rep := range quotas {
		extra = append(extra, rep)
	}
	ps, err := readPeriod(ctx, storeReader{st: fc.Store, firm: req.Firm, derived: m.UsesNewOpportunities()}, m, req.Period, req.AsOf, extra)
	if err != nil {
		return nil, fmt.Errorf("forecast %s %s: %w", req.Firm, req.Period, err)
	}
	out := assemble(m, ps, req.AsOf, reps, quotas)
	out.Firm, out.Recipe = req.Firm, ref
	if !req.NoSave {
		if err := fc.saved(ctx, "snapshot", fc.Store.SaveSnapshots(ctx, req.Firm, out.Snapshots(fc.now()()))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// saved passes a failed optional save to SaveFailed and forgets it, or returns it when SaveFailed is nil.
func (fc *Forecaster) saved(ctx context.Context, what string, err error) error {
	if err == nil || fc.SaveFailed == nil {
		return err
	}
	fc.SaveFailed(ctx, what, err)
	return nil
}

// now returns the clock.
func (fc *Forecaster) now() func() time.Time {
	if fc.Now == nil {
		return time.Now
	}
	return fc.Now
}

// model returns the stored model fitted at the latest moment <= AsOf, or fits (and stores) one.
func (fc *Forecaster) model(ctx context.Context, req Request) (*Model, RecipeRef, error) {
	grain := req.Period.Grain // a quarter is forecast from the monthly model, fitted with its quarter levels
	if !req.Refit {
		m, ok, err := Latest(ctx, fc.Store, req.Firm, ModelGrain(grain), req.AsOf)
		if err != nil {
			return nil, RecipeRef{}, err
		}
		if ok && (grain != salesrecipe.GrainQuarter || m.Quarter != nil) {
			return m, RecipeRef{FittedAt: m.FittedAt, AsOf: m.AsOf, Method: methodOf(m)}, nil
		}
	}
	f := &Fitter{Store: fc.Store, Now: fc.now(), Options: fc.Options}
	m, err := f.fitModel(ctx, req.Firm, grain, req.AsOf)
	if err != nil {
		return nil, RecipeRef{}, err
	}
	if m.Recipe != nil {
		if err := fc.saved(ctx, "recipe", f.Save(ctx, m)); err != nil {
			return nil, RecipeRef{}, err
		}
	}
	return m, RecipeRef{FittedAt: m.FittedAt, AsOf: m.AsOf, Method: methodOf(m), Refit: true}, nil
}

// methodOf names the recipe's method, "none" without a recipe.
func methodOf(m *Model) string {
	if m.Recipe == nil {
		return "none"
	}
	return m.Recipe.Method
}

// periodQuotas returns each rep's quota for the period, prorating quotas of other lengths by days.
func periodQuotas(ctx context.Context, st Store, firm string, p salesrecipe.Period) (map[string]float64, error) {
	from := p.Start.AddDate(0, -3, 0)
	qs, err := st.Quotas(ctx, firm, from, p.End())
	if err != nil {
		return nil, fmt.Errorf("quotas of %s: %w", firm, err)
	}
	return prorate(qs, p), nil
}

// prorate sums the part of each quota that overlaps the period, by days.
func prorate(qs []salesrecipe.Quota, p salesrecipe.Period) map[string]float64 {
	return salesrecipe.ProrateQuotas(qs, p.Start, p.End())
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// earlier returns the earlier of two times.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// assemble turns a period's features at moment at into rep rows, team rows and the firm total.
func assemble(m *Model, ps *periodSet, at time.Time, reps []salesrecipe.Rep, quotas map[string]float64) *Forecast {
	feats := ps.feats
	out := &Forecast{Period: ps.period, PeriodStart: ps.period.Start, PeriodEnd: ps.period.End(), AsOf: at, Reps: []RepRow{}}
	out.Notes = modelNotes(m, ps.period, ps.open)
	info := repInfo(reps)
	mix := firmMix(feats)
	var draws [][]float64
	var sources []drawSet
	for _, id := range slices.Sorted(maps.Keys(feats)) {
		f := feats[id]
		r := info[id]
		if r.ID == "" {
			r = salesrecipe.Rep{ID: id, Name: id}
		}
		q, hasQuota := quotas[id]
		if !f.Seen && !hasQuota {
			continue
		}
		pr := ps.predict(m, id, r.Team)
		row := repRow(m, repIdentity{r.ID, r.Name, r.Team}, f, pr, q, hasQuota, mix, ps.months == nil)
		out.Reps = append(out.Reps, row)
		draws, sources = append(draws, pr.draws), append(sources, pr.parts)
	}
	out.Teams, out.FirmTotal = rollup(m.levels(ps.period, at), out.Reps, draws, sources)
	if n := totalNote(out.Reps, out.FirmTotal.Forecast); n != "" {
		out.Notes = append(out.Notes, n)
	}
	if noData(feats) {
		out.Notes = append(out.Notes, "no data for "+ps.period.String()+" as of "+at.UTC().Format(time.RFC3339)+
			": nothing closed, no open pipeline closing in it and no activity in it")
	}
	return out
}

// repInfo indexes reps by id.
func repInfo(reps []salesrecipe.Rep) map[string]salesrecipe.Rep {
	out := make(map[string]salesrecipe.Rep, len(reps))
	for _, r := range reps {
		out[r.ID] = r
	}
	return out
}

// modelNotes labels what the forecast lacks.
func modelNotes(m *Model, p salesrecipe.Period, open []openDeal) []string {
	var notes []string
	if p.Grain == salesrecipe.GrainQuarter {
		notes = append(notes, "a quarter is the sum of its three months from the monthly model, drawn together; "+
			"what it takes is given per month (forecast the current month)")
	}
	if m.Recipe == nil {
		notes = append(notes, "no recipe ("+m.Thin+"): forecast from closed won and pipeline only")
	}
	if m.UsesNewOpportunities() {
		notes = append(notes, m.InputsNote())
	}
	if len(m.Stages) == 0 {
		notes = append(notes, fmt.Sprintf("no stages file: the stage-weighted view uses the firm's win rate %.0f%%", 100*m.WinRate))
	}
	if !m.Combiner.Learned {
		notes = append(notes, "too little history to learn the combination: pipeline and recipe added one for one, interval not calibrated")
	}
	if n := estimatedNote(open); n != "" {
		notes = append(notes, n)
	}
	return notes
}

// estimatedNote says how many open deals have an amount the forecast estimated (see dealWalk.state),
// empty when none has.
func estimatedNote(open []openDeal) string {
	n, sum := 0, 0.0
	for _, d := range open {
		if d.Estimated {
			n, sum = n+1, sum+d.Amount
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d open deals have no known amount (a history inferred from a one-row export, stage %s, or an open opportunity exported without a value): "+
		"each is valued at its rep's mean won amount of the period before and this one so far, %.0f in all (estimated); "+
		"an open deal without an expected close date counts in this period's open pipeline, weighted by its learned chance of a win in the period",
		n, salesrecipe.UnknownStage, sum)
}

// noData reports whether nothing was closed, nothing is open to close and nothing was done in the period.
func noData(feats map[string]*repFeatures) bool {
	for _, f := range feats {
		if f.Closed != 0 || f.Open != 0 || len(f.Done) > 0 {
			return false
		}
	}
	return true
}

// totalNote says why the firm's forecast exceeds the sum of its reps' forecasts, when it does by more
// than 1%; empty otherwise.
func totalNote(reps []RepRow, firm float64) string {
	var sum float64
	for _, r := range reps {
		sum += r.Forecast
	}
	if firm <= sum*1.01 {
		return ""
	}
	return fmt.Sprintf("team and firm forecasts are the middle of their totals' simulated outcomes: the reps' forecasts, each the middle of "+
		"that rep's own outcomes, add up to %.0f, less than the firm's %.0f, because a rep's outcome is skewed up (one deal more is likelier "+
		"than one deal less) and a total's ups and downs partly cancel", sum, firm)
}
