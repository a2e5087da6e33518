package synth

// NamedConfig is one firm of the Mechanics catalogue: a short name, what sets it apart and its Config without an End.
type NamedConfig struct {
	Name   string
	About  string
	Config Config
}

// mechanicsFirm is a small firm (reps, months, seed) with default kinds and about 5 activities a rep-day.
func mechanicsFirm(reps, months int, seed int64) Config {
	return Config{Reps: reps, Months: months, Seed: seed, ActivitiesPerDay: 5, Kinds: DefaultKinds()}
}

// Mechanics returns small firms (30-40 reps, 24-30 months) that each differ from the default story in one mechanic,
// for judging a forecast on firms whose mechanics differ; set End before generating.
func Mechanics() []NamedConfig {
	right := mechanicsFirm(36, 27, 101)
	right.StageFileFactor = 1
	blind := mechanicsFirm(34, 26, 102)
	blind.StageBlindWins = true
	farOff := mechanicsFirm(38, 28, 103)
	farOff.StageFileFactor = 2.5
	optimistic := mechanicsFirm(32, 25, 104)
	optimistic.CloseOptimismMinDays, optimistic.CloseOptimismMaxDays = 14, 21
	lumpy := mechanicsFirm(40, 24, 105)
	lumpy.AmountSigma = 1.2
	seasonal := mechanicsFirm(30, 30, 106)
	seasonal.SeasonAmplitude = 3
	turnover := mechanicsFirm(36, 27, 107)
	turnover.Turnover = 0.4
	late := mechanicsFirm(35, 29, 108)
	late.LagPeak = 3
	late.Kinds = StretchLags(late.Kinds, late.LagPeak)
	return []NamedConfig{
		{"stages-right", "the stages file is the true win rates (factor 1)", right},
		{"stage-blind", "a deal's win chance does not depend on its stage", blind},
		{"file-far-off", "the stages file is 2.5 times the true win rates", farOff},
		{"optimistic-close", "every expected close date is 14-21 days early and pushed each time it passes", optimistic},
		{"lumpy", "deal amounts are lumpy (lognormal sigma 1.2)", lumpy},
		{"seasonal", "seasonal swings of activity three times the drawn ones", seasonal},
		{"turnover", "40% of non-lead reps join late and 40% leave", turnover},
		{"late-delays", "sourced deals close mostly 3 months after the activity", late},
	}
}
