package forecast

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/model"
)

// defaultTrainPeriods is how many past periods are backtested to learn the combination.
const defaultTrainPeriods = 12

// lab fits models at any moment up to its horizon from one read of the deal history, caching what
// does not depend on the moment of the fit. Every read at a moment m sees only data known at m.
type lab struct {
	firm     string
	grain    salesrecipe.Grain
	quarters bool // a lab opened for quarters fits the monthly model and learns its quarter levels
	horizon  time.Time
	book     *book
	rd       *bookReader
	stages   []salesrecipe.Stage
	reps     []salesrecipe.Rep
	teams    map[string]string // team by rep
	opts     model.Options
	now      func() time.Time

	histories map[time.Time]*History
	recipes   map[time.Time]recipeFit
	pipes     map[time.Time]*Pipeline
	lastWin   *WinModel // the last stage model fitted, where the next fit starts from
	features  map[moment]map[string]*repFeatures
	combiners map[combinerKey]*Combiner
}

// recipeFit is a recipe fitted at one moment, or why it could not be.
type recipeFit struct {
	rc  *model.Recipe
	err error
}

// moment is a training period seen at one elapsed share.
type moment struct {
	period time.Time
	grid   int
}

// newLab reads the firm's data known at horizon in one go (with the own days of moments, the moments
// its fits will read activities at: see fitMoments), the stages and the reps.
func newLab(ctx context.Context, st Store, firm string, grain salesrecipe.Grain, horizon time.Time, opts model.Options, now func() time.Time, moments []time.Time) (*lab, error) {
	fd, err := st.FirmData(ctx, firm, horizon, moments)
	if err != nil {
		return nil, fmt.Errorf("data of %s: %w", firm, err)
	}
	stages, err := st.Stages(ctx, firm)
	if err != nil {
		return nil, fmt.Errorf("stages of %s: %w", firm, err)
	}
	reps, err := st.Reps(ctx, firm)
	if err != nil {
		return nil, fmt.Errorf("reps of %s: %w", firm, err)
	}
	return labOf(fd, firm, grain, stages, reps, opts, now), nil
}

// labOf opens a lab on a firm's data read at its horizon.
func labOf(fd *salesrecipe.FirmData, firm string, grain salesrecipe.Grain, stages []salesrecipe.Stage, reps []salesrecipe.Rep, opts model.Options, now func() time.Time) *lab {
	teams := make(map[string]string, len(reps))
	for _, r := range reps {
		teams[r.ID] = r.Team
	}
	rd := newBookReader(fd)
	quarters := grain == salesrecipe.GrainQuarter
	return &lab{firm: firm, grain: ModelGrain(grain), quarters: quarters, horizon: fd.AsOf, book: rd.book, stages: stages, reps: reps, teams: teams, opts: opts,
		now: now, rd: rd,
		histories: map[time.Time]*History{}, recipes: map[time.Time]recipeFit{}, pipes: map[time.Time]*Pipeline{},
		features: map[moment]map[string]*repFeatures{}, combiners: map[combinerKey]*Combiner{}}
}

// fitMoments returns the moments a fit at m for periods of the grain reads activities at: m, the grid
// moments of the training periods of its model's grain before m's period, and for quarters the
// moments of the quarter levels.
func fitMoments(grain salesrecipe.Grain, m time.Time) []time.Time {
	out := []time.Time{m}
	for i, q := 0, salesrecipe.NewPeriod(ModelGrain(grain), m).Prev(); i < defaultTrainPeriods; i, q = i+1, q.Prev() {
		for g := range trainingGrid {
			out = append(out, gridMoment(q, g))
		}
	}
	if grain == salesrecipe.GrainQuarter {
		out = append(out, quarterMoments(m)...)
	}
	return out
}

// history returns the panel known at m.
func (lb *lab) history(ctx context.Context, m time.Time) (*History, error) {
	if h, ok := lb.histories[m]; ok {
		return h, nil
	}
	h, err := loadHistory(ctx, lb.rd, lb.grain, m, lb.reps)
	if err == nil {
		lb.histories[m] = h
	}
	return h, err
}

// recipe returns the recipe fitted on the data known at m; a thin history is a *model.ThinDataError.
func (lb *lab) recipe(ctx context.Context, m time.Time, opts model.Options) (*model.Recipe, error) {
	if f, ok := lb.recipes[m]; ok && opts.Bootstrap < 0 {
		return f.rc, f.err
	}
	h, err := lb.history(ctx, m)
	if err != nil {
		return nil, err
	}
	if len(h.Periods) == 0 {
		return nil, &model.ThinDataError{What: "complete " + string(lb.grain) + "s with activity or won revenue before " + m.UTC().Format(time.DateOnly), Have: 0, Need: model.MinRevenuePeriods}
	}
	if len(h.Panel.Kinds) == 0 {
		return nil, &model.ThinDataError{What: "activity kinds or deals created in the complete " + string(lb.grain) + "s before " + m.UTC().Format(time.DateOnly), Have: 0, Need: 1}
	}
	rc, err := model.Fit(h.Panel, opts)
	if opts.Bootstrap < 0 {
		lb.recipes[m] = recipeFit{rc, err}
	}
	return rc, err
}

// pipelineBack is how many complete periods before the moment's period the stage model learns from.
var pipelineBack = map[salesrecipe.Grain]int{salesrecipe.GrainWeek: 26, salesrecipe.GrainMonth: 12, salesrecipe.GrainQuarter: 8}

// pipeline returns the stage model learned from the deals known at the start of m's period: it learns
// only from complete periods, so every moment of a period gets the same model.
func (lb *lab) pipeline(m time.Time) *Pipeline {
	cur := salesrecipe.NewPeriod(lb.grain, m)
	if p, ok := lb.pipes[cur.Start]; ok {
		return p
	}
	from := cur
	for range cmp.Or(pipelineBack[lb.grain], 12) {
		from = from.Prev()
	}
	p := fitPipeline(lb.book.at(cur.Start), lb.grain, lb.stages, from.Start, lb.lastWin, lb.workers())
	lb.lastWin = p.Win
	lb.pipes[cur.Start] = p
	return p
}

// model fits everything a forecast needs on the data known at m; bootstrap adds the recipe's
// confidence intervals (not needed for forecasting).
func (lb *lab) model(ctx context.Context, m time.Time, bootstrap bool) (*Model, error) {
	if m.After(lb.horizon) {
		return nil, fmt.Errorf("fit as of %s: data read only up to %s", m.Format(time.RFC3339), lb.horizon.Format(time.RFC3339))
	}
	opts := lb.opts
	if !bootstrap {
		opts.Bootstrap = -1
	}
	out := &Model{Firm: lb.firm, Grain: lb.grain, AsOf: m, FittedAt: lb.now().UTC().Truncate(time.Millisecond), Stages: lb.stages,
		WinRate: lb.book.at(m).winRate(), Pipeline: lb.pipeline(m)}
	rc, err := lb.recipe(ctx, m, opts)
	var thin *model.ThinDataError
	switch {
	case errors.As(err, &thin):
		out.Thin, out.thin = thin.Error(), thin
	case err != nil:
		return nil, err
	default:
		out.Recipe = rc
	}
	if h, err := lb.history(ctx, m); err == nil {
		out.DataFrom, out.DataTo = h.From(), h.To()
	}
	out.Carry = lb.book.at(m).carry(lb.grain, salesrecipe.NewPeriod(lb.grain, m).Start)
	if out.Combiner, err = lb.combiner(ctx, m, out.Recipe != nil); err != nil {
		return nil, err
	}
	out.Quarter, err = lb.quarterLevels(ctx, out, m)
	return out, err
}

// combiner learns the combination by backtesting the last training periods before m's period.
func (lb *lab) combiner(ctx context.Context, m time.Time, withRecipe bool) (*Combiner, error) {
	rows := make([][]sample, len(trainingGrid))
	cur := salesrecipe.NewPeriod(lb.grain, m)
	if err := lb.prepareFeatures(ctx, cur, withRecipe); err != nil {
		return nil, err
	}
	periods := 0
	for i, q := 0, cur.Prev(); i < defaultTrainPeriods; i, q = i+1, q.Prev() {
		actual := lb.book.won(q.Start, q.End(), m)
		used := false
		for g := range trainingGrid {
			feats, err := lb.trainingFeatures(ctx, q, g, withRecipe)
			if err != nil {
				return nil, err
			}
			at := gridMoment(q, g)
			pipe, fresh := lb.book.wonAfter(at, q.End(), m)
			for _, rep := range slices.Sorted(maps.Keys(feats)) {
				f := feats[rep]
				if !f.Seen && actual[rep] == 0 {
					continue
				}
				rows[g] = append(rows[g], sample{period: i, team: lb.teams[rep], rep: rep, f: f,
					pipe: pipe[rep], fresh: fresh[rep], actual: actual[rep]})
				used = true
			}
		}
		if used {
			periods++
		}
	}
	amounts := lb.book.at(m).newAmounts(lb.grain, cur.Start)
	kinds, err := lb.kinds(ctx, m)
	if err != nil {
		return nil, err
	}
	key := combinerKey{cur.Start, withRecipe, rowsHash(rows, amounts), strings.Join(kinds, ",")}
	if c, ok := lb.combiners[key]; ok {
		return c, nil
	}
	c, err := learnCombiner(rows, periods, kinds, amounts, 0.8, lb.workers())
	if err == nil {
		lb.combiners[key] = c
	}
	return c, err
}

// combinerKey identifies a learned combination by everything it is learned from: the training rows'
// features are fixed by their period and grid point, so the period, the recipe flag and a hash of the
// outcomes and amounts known at the moment of the fit identify it.
type combinerKey struct {
	period     time.Time
	withRecipe bool
	outcomes   uint64
	kinds      string
}

// rowsHash hashes the training rows' identities and outcomes and the amounts table.
func rowsHash(rows [][]sample, amounts []float64) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	put := func(v float64) {
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
		h.Write(buf[:])
	}
	for g, rs := range rows {
		put(float64(g))
		for _, r := range rs {
			h.Write([]byte(r.rep))
			put(float64(r.period))
			put(r.pipe)
			put(r.fresh)
			put(r.actual)
		}
	}
	for _, a := range amounts {
		put(a)
	}
	return h.Sum64()
}

// kinds returns the activity kinds of the history known at m.
func (lb *lab) kinds(ctx context.Context, m time.Time) ([]string, error) {
	h, err := lb.history(ctx, m)
	if err != nil {
		return nil, err
	}
	return h.Panel.Kinds, nil
}

// gridMoment returns the moment at grid point g of period q.
func gridMoment(q salesrecipe.Period, g int) time.Time {
	return q.Start.Add(time.Duration(trainingGrid[g] * float64(q.End().Sub(q.Start))))
}

// trainingRecipeEvery is how many consecutive past periods share one recipe and stage-model fit in
// the training of the combination: a fit costs about a second at 1,000 reps, and a model fitted a
// period or two earlier still knows nothing of the period it is applied to.
const trainingRecipeEvery = 3

// trainingRecipeMoment returns when the recipe behind past period q's training features is fitted:
// the start of q or of one of the (trainingRecipeEvery-1) periods before it, so that consecutive
// periods share a fit; never after q's start.
func trainingRecipeMoment(q salesrecipe.Period) time.Time {
	y, m, _ := q.Start.Date()
	var n int64
	switch q.Grain {
	case salesrecipe.GrainWeek:
		n = q.Start.Unix() / (7 * 86400)
	case salesrecipe.GrainQuarter:
		n = int64(y)*4 + int64(m-1)/3
	default:
		n = int64(y)*12 + int64(m-1)
	}
	for range n % trainingRecipeEvery {
		q = q.Prev()
	}
	return q.Start
}

// trainingFeatures returns the features of past period q at grid point g, from the recipe and the
// stage model fitted at trainingRecipeMoment(q); nil when such a recipe lacks (or exists, unlike the
// one being fitted) a recipe.
func (lb *lab) trainingFeatures(ctx context.Context, q salesrecipe.Period, g int, withRecipe bool) (map[string]*repFeatures, error) {
	rc, err := lb.recipe(ctx, trainingRecipeMoment(q), model.Options{Bootstrap: -1})
	var thin *model.ThinDataError
	if err != nil && !errors.As(err, &thin) {
		return nil, err
	}
	if (rc != nil) != withRecipe {
		return nil, nil
	}
	key := moment{q.Start, g}
	if f, ok := lb.features[key]; ok {
		return f, nil
	}
	in, err := readInputs(ctx, lb.rd, q, gridMoment(q, g), lagsOf(rc))
	if err != nil {
		return nil, err
	}
	fs := featureSet{in: in, rc: rc, pm: lb.pipeline(trainingRecipeMoment(q))}
	feats := fs.compute(nil)
	lb.features[key] = feats
	return feats, nil
}

// workers returns how many goroutines the lab's fits may use: the model options' (default 2).
func (lb *lab) workers() int { return cmp.Or(lb.opts.Workers, 2) }

// featureJob is the computation of one training moment's features from its recipe and stage model.
type featureJob struct {
	q  salesrecipe.Period
	g  int
	rc *model.Recipe
	pm *Pipeline
}

// prepareFeatures computes the training features of the periods before cur that trainingFeatures
// will ask for and has not cached, the moments spread over workers. The recipes and stage models
// behind them are fitted first, in the order trainingFeatures would fit them (a stage model starts
// from the one fitted before it), so the features are those trainingFeatures computes.
func (lb *lab) prepareFeatures(ctx context.Context, cur salesrecipe.Period, withRecipe bool) error {
	var jobs []featureJob
	for i, q := 0, cur.Prev(); i < defaultTrainPeriods; i, q = i+1, q.Prev() {
		rc, err := lb.recipe(ctx, trainingRecipeMoment(q), model.Options{Bootstrap: -1})
		var thin *model.ThinDataError
		if err != nil && !errors.As(err, &thin) {
			return err
		}
		if (rc != nil) != withRecipe {
			continue
		}
		for g := range trainingGrid {
			if _, ok := lb.features[moment{q.Start, g}]; !ok {
				jobs = append(jobs, featureJob{q: q, g: g, rc: rc, pm: lb.pipeline(trainingRecipeMoment(q))})
			}
		}
	}
	feats := make([]map[string]*repFeatures, len(jobs))
	errs := make([]error, len(jobs))
	forEach(len(jobs), lb.workers(), func(i int) {
		j := jobs[i]
		in, err := readInputs(ctx, lb.rd, j.q, gridMoment(j.q, j.g), lagsOf(j.rc))
		if err != nil {
			errs[i] = err
			return
		}
		fs := featureSet{in: in, rc: j.rc, pm: j.pm}
		feats[i] = fs.compute(nil)
	})
	for i, j := range jobs {
		if errs[i] != nil {
			return errs[i]
		}
		lb.features[moment{j.q.Start, j.g}] = feats[i]
	}
	return nil
}

// lagsOf returns the deepest lag of a recipe, 0 for none.
func lagsOf(rc *model.Recipe) int {
	if rc == nil {
		return 0
	}
	return rc.Lags
}
