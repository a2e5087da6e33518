package metrics

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/salesrecipe/salesrecipe"
)

// Snapshot is one firm's values for its current period, as one refresh computed them.
type Snapshot struct {
	// Firm is the firm's identifier.
	Firm string
	// Currency is the unit of every money value, such as EUR.
	Currency string
	// Period is the current period the rows describe.
	Period salesrecipe.Period
	// Reps holds one row per rep; Rep and Team are set.
	Reps []Row
	// Teams holds one row per team; Team is set and Rep is empty.
	Teams []Row
	// RecipeCVWAPE is the recipe's cross-validated WAPE; NaN when no recipe was fitted.
	RecipeCVWAPE float64
	// FitDuration is how long the last recipe fit took; 0 when the source does not know.
	FitDuration time.Duration
	// LastFit is when the recipe was last fitted successfully; zero means never.
	LastFit time.Time
	// LastForecast is when the forecast was last computed successfully; zero means never.
	LastForecast time.Time
	// LastIngest is, per kind, the latest moment the store shows a successful load.
	LastIngest map[string]time.Time
}

// Row is one rep's or one team's numbers for the current period, money in the firm's currency.
type Row struct {
	// Team is the team; Rep is the rep, empty in a team row.
	Team, Rep string
	// Forecast is the expected won revenue of the period; Low and High bound its interval.
	Forecast, Low, High float64
	// Quota is the period's quota; 0 means none.
	Quota float64
	// ClosedWon is the revenue already won in the period.
	ClosedWon float64
	// PipelineOpen is the amount of open deals expected to close in the period.
	PipelineOpen float64
	// PipelineWeighted is the open pipeline weighted by each deal's chance to close in the period.
	PipelineWeighted float64
	// FromPipeline and FromNewBusiness split Forecast - ClosedWon: the part owed to deals open now and
	// the part owed to deals not yet open (ClosedWon + FromPipeline + FromNewBusiness = Forecast).
	FromPipeline, FromNewBusiness float64
	// RequiredCoverage is the coverage the pipeline's conversion calls for; NaN when unknown.
	RequiredCoverage float64
	// Call is the latest forecast call for the period (the rep's own, or the manager's for a
	// team); nil when none was submitted.
	Call *Call
}

// Call is the forecast call that counts for a row: the latest submitted.
type Call struct {
	// Commit and BestCase are the called amounts, in the firm's currency unit.
	Commit, BestCase float64
	// SubmittedAt is when it was submitted.
	SubmittedAt time.Time
}

// callValue returns a field of the row's call, NaN without a call.
func (r Row) callValue(f func(Call) float64) float64 {
	if r.Call == nil {
		return math.NaN()
	}
	return f(*r.Call)
}

// CallSubmitted is the Unix time of the latest call's submission, 0 when none was submitted.
func (r Row) CallSubmitted() float64 {
	if r.Call == nil {
		return 0
	}
	return unix(r.Call.SubmittedAt)
}

// Shortfall is quota minus forecast, floored at 0.
func (r Row) Shortfall() float64 {
	return math.Max(r.Quota-r.Forecast, 0)
}

// Attainment is forecast over quota; NaN without a quota.
func (r Row) Attainment() float64 {
	if r.Quota <= 0 {
		return math.NaN()
	}
	return r.Forecast / r.Quota
}

// Coverage is open pipeline over remaining quota (quota - closed won); NaN once the quota is met.
func (r Row) Coverage() float64 {
	remaining := r.Quota - r.ClosedWon
	if remaining <= 0 {
		return math.NaN()
	}
	return r.PipelineOpen / remaining
}

// Validate reports what would make the snapshot's series ambiguous or meaningless.
func (s Snapshot) Validate() error {
	var errs []error
	if s.Firm == "" {
		errs = append(errs, errors.New("firm is empty"))
	}
	if !s.Period.Grain.Valid() || s.Period.Start.IsZero() {
		errs = append(errs, fmt.Errorf("period %v is not a valid period", s.Period))
	}
	reps := map[string]bool{}
	for _, r := range s.Reps {
		if r.Rep == "" {
			errs = append(errs, fmt.Errorf("a rep row of team %q has no rep", r.Team))
		} else if reps[r.Rep] {
			errs = append(errs, fmt.Errorf("rep %q appears twice", r.Rep))
		}
		reps[r.Rep] = true
	}
	teams := map[string]bool{}
	for _, r := range s.Teams {
		if r.Rep != "" {
			errs = append(errs, fmt.Errorf("team row %q names rep %q", r.Team, r.Rep))
		}
		if teams[r.Team] {
			errs = append(errs, fmt.Errorf("team %q appears twice", r.Team))
		}
		teams[r.Team] = true
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("snapshot of firm %q: %w", s.Firm, err)
	}
	return nil
}
