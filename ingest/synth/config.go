package synth

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

const (
	maxReps           = 999_999
	maxMonths         = 600
	maxKindLag        = 24
	maxActivitiesADay = 10_000
	maxAmountSigma    = 2.0
	maxFileFactor     = 20.0
	maxOptimismDays   = 120
	maxSeasonAmp      = 10.0
)

// Kind describes one activity kind and how it sources deals; the seed perturbs SourceProb and MeanAmount by up to 25%.
type Kind struct {
	Name       string  `json:"name"`        // kind as written in activities.csv
	Share      float64 `json:"share"`       // relative volume among a rep's activities
	SourceProb float64 `json:"source_prob"` // chance one activity sources a new deal; 0 means no effect
	MeanAmount float64 `json:"mean_amount"` // mean final amount of a sourced deal
	EntryStage string  `json:"entry_stage"` // stage a sourced deal starts in
	MaxLag     int     `json:"max_lag"`     // longest delay, in months, from the activity to the close
	FirstMonth int     `json:"first_month"` // 0-based history month in which the kind first appears
}

// Config describes the firm to generate; End is "now" and the history is the Months calendar months ending with the month that contains the instant before End.
type Config struct {
	Reps             int       `json:"reps"`
	Months           int       `json:"months"`
	End              time.Time `json:"end"` // exclusive; to begin on the first day of a month use that day.AddDate(0, Months, 0)
	Seed             int64     `json:"seed"`
	ActivitiesPerDay float64   `json:"activities_per_day"` // firm mean per rep and working day
	Kinds            []Kind    `json:"kinds"`
	Shortfall        bool      `json:"shortfall"`              // plant ShortfallRep far below quota in the current period
	AmountSigma      float64   `json:"amount_sigma,omitempty"` // lognormal sigma of deal amounts; 0 means DefaultAmountSigma
	Shape            Shape     `json:"shape,omitempty"`        // which rows the files hold; "" is ShapeFull
	Knobs
}

// Knobs are the mechanics that change how the firm works; every zero value keeps the seed-drawn default, so a config
// without them writes the same bytes as before they existed.
type Knobs struct {
	// StageBlindWins decides each deal's outcome at creation with the firm's average win chance times the rep's skill,
	// and moves the deal through the stages independently of it, so given the rep the stage a deal is in says nothing
	// about its win (across reps, stage win rates differ only by which reps' deals reach each stage).
	StageBlindWins bool `json:"stage_blind_wins,omitempty"`
	// StageFileFactor writes the stages file as the true win rates times this factor (clamped to [0.05, 0.95],
	// rounded to 0.05, made monotone); 0 keeps the seed-drawn miscalibration exp(±U(0.1, 0.45)) with noise per stage.
	StageFileFactor float64 `json:"stage_file_factor,omitempty"`
	// CloseOptimismMinDays and CloseOptimismMaxDays make every deal state an expected close date that many days
	// (uniform in the range) before its true close, re-stated by the same rule each time it passes (once that would
	// be past, a date between then and the close); 0 keeps the seed-drawn share of deals with optimistic dates.
	CloseOptimismMinDays int `json:"close_optimism_min_days,omitempty"`
	CloseOptimismMaxDays int `json:"close_optimism_max_days,omitempty"`
	// SeasonAmplitude multiplies the seed-drawn seasonal swings of activity volume (each month's factor is floored at
	// minSeason); 0 keeps them as drawn.
	SeasonAmplitude float64 `json:"season_amplitude,omitempty"`
	// Turnover is the chance that a non-lead rep joins after the first month, and again that they leave before the
	// end; 0 keeps the defaults joinProb and leaveProb.
	Turnover float64 `json:"turnover,omitempty"`
	// Sources writes a source column in deals.csv (and lead_source in the CRM export): the activity kind that
	// sourced each deal, or "inbound" for one no activity sourced, as a CRM's lead source says where an opportunity
	// came from. Sources differ in value (each kind's mean amount and entry stage), which a deals-only recipe learns.
	Sources bool `json:"sources,omitempty"`
	// LagPeak makes every sourcing kind's delay profile peak this many months after the activity (each kind's MaxLag
	// must reach it; see StretchLags); 0 keeps the seed-drawn profiles.
	LagPeak int `json:"lag_peak,omitempty"`
}

// DefaultAmountSigma is the lognormal sigma of deal amounts when Config.AmountSigma is 0.
const DefaultAmountSigma = 0.6

// amountSigma returns the configured spread of deal amounts.
func (c Config) amountSigma() float64 {
	if c.AmountSigma == 0 {
		return DefaultAmountSigma
	}
	return c.AmountSigma
}

// ShortfallRep is the rep planted far below quota in the last (current) period when Config.Shortfall is set.
const ShortfallRep = "r0001"

// DefaultKinds returns call, email (no effect), meeting, demo and proposal.
func DefaultKinds() []Kind {
	return []Kind{
		{Name: "call", Share: 0.40, SourceProb: 0.03, MeanAmount: 8000, EntryStage: "prospecting", MaxLag: 4},
		{Name: "email", Share: 0.30},
		{Name: "meeting", Share: 0.15, SourceProb: 0.08, MeanAmount: 15000, EntryStage: "qualification", MaxLag: 3},
		{Name: "demo", Share: 0.09, SourceProb: 0.15, MeanAmount: 22000, EntryStage: "discovery", MaxLag: 2},
		{Name: "proposal", Share: 0.06, SourceProb: 0.25, MeanAmount: 26000, EntryStage: "proposal", MaxLag: 1},
	}
}

// DefaultConfig returns the demo firm (40 reps, 24 months, seed 1) without an End, which the caller must set.
func DefaultConfig() Config {
	return Config{Reps: 40, Months: 24, Seed: 1, ActivitiesPerDay: 6, Kinds: DefaultKinds()}
}

// HighVelocityKinds returns the kinds of a high-velocity inside-sales firm: calls and meetings open qualified deals,
// demos discovery deals and proposals (quotes) proposal-stage deals, all small and closing within two months; e-mail
// has no effect.
func HighVelocityKinds() []Kind {
	return []Kind{
		{Name: "call", Share: 0.40, SourceProb: 0.30, MeanAmount: 1000, EntryStage: "qualification", MaxLag: 2},
		{Name: "email", Share: 0.20},
		{Name: "meeting", Share: 0.15, SourceProb: 0.50, MeanAmount: 1500, EntryStage: "qualification", MaxLag: 2},
		{Name: "demo", Share: 0.13, SourceProb: 0.50, MeanAmount: 1500, EntryStage: "discovery", MaxLag: 1},
		{Name: "proposal", Share: 0.12, SourceProb: 0.50, MeanAmount: 1500, EntryStage: "proposal", MaxLag: 1},
	}
}

// HighVelocityConfig returns a high-velocity firm (100 reps, 24 months, 30 activities a rep-day, list-priced deals
// with amount sigma 0.3, seed 1) without an End: each rep wins dozens of small deals a month, every sourcing kind
// carries a fifth to a third of the revenue, so the recipe is recoverable within 15% from this volume.
func HighVelocityConfig() Config {
	return Config{Reps: 100, Months: 24, Seed: 1, ActivitiesPerDay: 30, Kinds: HighVelocityKinds(), AmountSigma: 0.3}
}

// Start returns the first day (00:00 UTC) of the first month of the history.
func (c Config) Start() time.Time {
	return startOf(c.End, c.Months)
}

// Validate reports the first problem that makes the configuration unusable.
func (c Config) Validate() error {
	switch {
	case c.Reps < 1 || c.Reps > maxReps:
		return fmt.Errorf("reps %d outside [1, %d]", c.Reps, maxReps)
	case c.Months < 1 || c.Months > maxMonths:
		return fmt.Errorf("months %d outside [1, %d]", c.Months, maxMonths)
	case c.End.IsZero():
		return errors.New("end date is required")
	case !(c.ActivitiesPerDay > 0 && c.ActivitiesPerDay <= maxActivitiesADay):
		return fmt.Errorf("activities per day %v outside (0, %d]", c.ActivitiesPerDay, maxActivitiesADay)
	case !(c.AmountSigma >= 0 && c.AmountSigma <= maxAmountSigma):
		return fmt.Errorf("amount sigma %v outside [0, %v]", c.AmountSigma, maxAmountSigma)
	case c.Shape.validate() != nil:
		return c.Shape.validate()
	}
	if err := c.Knobs.validate(); err != nil {
		return err
	}
	if err := validateKinds(c.Kinds); err != nil {
		return err
	}
	return c.validateLagPeak()
}

func (m Knobs) validate() error {
	switch {
	case !(m.StageFileFactor >= 0 && m.StageFileFactor <= maxFileFactor):
		return fmt.Errorf("stage file factor %v outside [0, %v]", m.StageFileFactor, maxFileFactor)
	case m.CloseOptimismMinDays < 0 || m.CloseOptimismMaxDays > maxOptimismDays ||
		m.CloseOptimismMinDays > m.CloseOptimismMaxDays || (m.CloseOptimismMaxDays > 0 && m.CloseOptimismMinDays == 0):
		return fmt.Errorf("close optimism %d-%d days: want 1 <= min <= max <= %d, or both 0",
			m.CloseOptimismMinDays, m.CloseOptimismMaxDays, maxOptimismDays)
	case !(m.SeasonAmplitude >= 0 && m.SeasonAmplitude <= maxSeasonAmp):
		return fmt.Errorf("season amplitude %v outside [0, %v]", m.SeasonAmplitude, maxSeasonAmp)
	case !(m.Turnover >= 0 && m.Turnover <= 1):
		return fmt.Errorf("turnover %v outside [0, 1]", m.Turnover)
	case m.LagPeak < 0 || m.LagPeak > maxKindLag:
		return fmt.Errorf("lag peak %d outside [0, %d]", m.LagPeak, maxKindLag)
	}
	return nil
}

// validateLagPeak checks that every sourcing kind's delays reach the configured peak.
func (c Config) validateLagPeak() error {
	for _, k := range c.Kinds {
		if k.SourceProb > 0 && k.MaxLag < c.LagPeak {
			return fmt.Errorf("kind %q: max lag %d is below lag peak %d (raise it, e.g. with StretchLags)", k.Name, k.MaxLag, c.LagPeak)
		}
	}
	return nil
}

// StretchLags returns a copy of kinds in which every sourcing kind's MaxLag is at least peak+1, so a LagPeak of peak fits.
func StretchLags(kinds []Kind, peak int) []Kind {
	out := slices.Clone(kinds)
	for i := range out {
		if out[i].SourceProb > 0 {
			out[i].MaxLag = max(out[i].MaxLag, min(peak+1, maxKindLag))
		}
	}
	return out
}

func validateKinds(kinds []Kind) error {
	if len(kinds) == 0 {
		return errors.New("no activity kinds")
	}
	seen := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		if seen[k.Name] {
			return fmt.Errorf("kind %q listed twice", k.Name)
		}
		seen[k.Name] = true
		if err := k.validate(); err != nil {
			return fmt.Errorf("kind %q: %w", k.Name, err)
		}
	}
	return nil
}

func (k Kind) validate() error {
	switch {
	case k.Name == "" || strings.ContainsAny(k.Name, ",\"\r\n"):
		return errors.New("name must be non-empty without commas, quotes or newlines")
	case !(k.Share > 0) || math.IsInf(k.Share, 0):
		return fmt.Errorf("share %v must be positive", k.Share)
	case !(k.SourceProb >= 0 && k.SourceProb <= 1):
		return fmt.Errorf("source probability %v outside [0, 1]", k.SourceProb)
	case k.MaxLag < 0 || k.MaxLag > maxKindLag:
		return fmt.Errorf("max lag %d outside [0, %d]", k.MaxLag, maxKindLag)
	case k.FirstMonth < 0:
		return fmt.Errorf("first month %d is negative", k.FirstMonth)
	case k.SourceProb == 0:
		return nil
	case !(k.MeanAmount > 0) || math.IsInf(k.MeanAmount, 0):
		return fmt.Errorf("mean amount %v must be positive", k.MeanAmount)
	}
	if s, ok := stageIndex(k.EntryStage); !ok || s >= stWon {
		return fmt.Errorf("entry stage %q is not an open stage", k.EntryStage)
	}
	return nil
}
