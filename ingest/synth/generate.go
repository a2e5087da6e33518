package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Writers receives the five canonical CSV files; pass io.Discard to skip one.
type Writers struct {
	Reps, Quotas, Stages, Activities, Deals io.Writer
}

// generator streams one firm; its memory grows with reps and months, not with rows.
type generator struct {
	cfg      Config
	rng      *rand.Rand
	cal      calendar
	firm     firm
	reps     []rep
	stages   [nStages]string
	weights  []float64 // scratch: one rep-month's relative volume per kind
	cum      []float64 // scratch: their normalized cumulative sums
	acts     *sink
	deals    *sink
	actID    counter
	nextDeal int64
	rows     RowCounts
	ev       []event
	actTime  stamper
	dealTime stamper
	counts   [][]float64 // each rep's expected activities by kind over the history (expectedCounts)
}

// Generate streams the firm described by cfg into w and returns its recipe; the same config always yields the same bytes.
func Generate(ctx context.Context, cfg Config, w Writers) (Truth, error) {
	if err := cfg.Validate(); err != nil {
		return Truth{}, fmt.Errorf("synth: invalid config: %w", err)
	}
	if w.Reps == nil || w.Quotas == nil || w.Stages == nil || w.Activities == nil || w.Deals == nil {
		return Truth{}, errors.New("synth: every writer is required (use io.Discard to skip a file)")
	}
	g := newGenerator(cfg)
	if err := g.writeStatic(w); err != nil {
		return Truth{}, err
	}
	g.acts, g.deals = newSink(w.Activities), newSink(w.Deals)
	if err := g.run(ctx); err != nil {
		return Truth{}, err
	}
	return g.truth(), nil
}

func newGenerator(cfg Config) *generator {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5a1e5))
	g := &generator{cfg: cfg, rng: rng, stages: stageNames(), actID: newCounter('a', 8), nextDeal: 1}
	g.firm = drawFirm(rng, cfg)
	g.firm.mix = drawMixModel(rng, cfg.Months, len(cfg.Kinds))
	g.cal = newCalendar(cfg.Start(), cfg.Months, g.firm.maxLag+2, cfg.End.Unix())
	g.reps = drawReps(rng, cfg, &g.firm)
	g.counts = expectedCounts(&g.cal, &g.firm, g.reps)
	g.firm.solveValues(g.counts, g.reps)
	g.firm.solveStageRates(g.counts, expectedInbound(&g.cal, g.reps), g.reps)
	g.firm.drawMiscalibration(rng, cfg.StageFileFactor)
	g.firm.setQuotas(rng, cfg, g.reps)
	g.weights, g.cum = make([]float64, len(cfg.Kinds)), make([]float64, len(cfg.Kinds))
	return g
}

func (g *generator) writeStatic(w Writers) error {
	files := []struct {
		name  string
		w     io.Writer
		write func(*sink)
	}{{"reps.csv", w.Reps, g.writeReps}, {"stages.csv", w.Stages, g.writeStages}, {"quotas.csv", w.Quotas, g.writeQuotas}}
	for _, f := range files {
		s := newSink(f.w)
		f.write(s)
		if s.flush(); s.err != nil {
			return fmt.Errorf("synth: write %s: %w", f.name, s.err)
		}
	}
	return nil
}

// run streams activities and deals month by month, rep by rep.
func (g *generator) run(ctx context.Context) error {
	writeHeader(g.acts, activitiesHeader)
	if g.cfg.Sources {
		writeHeader(g.deals, dealsHeader+",source")
	} else {
		writeHeader(g.deals, dealsHeader)
	}
	for m := range g.cal.hist {
		for i := range g.reps {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("synth: %w", err)
			}
			g.repMonth(&g.reps[i], m)
		}
		if err := g.sinkErr(); err != nil {
			return err
		}
	}
	g.futureInbound()
	g.acts.flush()
	g.deals.flush()
	return g.sinkErr()
}

func (g *generator) sinkErr() error {
	if g.acts.err != nil {
		return fmt.Errorf("synth: write activities.csv: %w", g.acts.err)
	}
	if g.deals.err != nil {
		return fmt.Errorf("synth: write deals.csv: %w", g.deals.err)
	}
	return nil
}

// WriteDir writes reps.csv, quotas.csv, stages.csv, activities.csv, deals.csv and truth.json into dir, creating it if needed.
func WriteDir(ctx context.Context, dir string, cfg Config) (Truth, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Truth{}, fmt.Errorf("synth: create %s: %w", dir, err)
	}
	names := []string{"reps.csv", "quotas.csv", "stages.csv", "activities.csv", "deals.csv"}
	files := make([]*os.File, 0, len(names))
	closeAll := func() error {
		var errs []error
		for _, f := range files {
			errs = append(errs, f.Close())
		}
		return errors.Join(errs...)
	}
	for _, n := range names {
		f, err := os.Create(filepath.Join(dir, n))
		if err != nil {
			return Truth{}, errors.Join(fmt.Errorf("synth: %w", err), closeAll())
		}
		files = append(files, f)
	}
	t, err := Generate(ctx, cfg, Writers{files[0], files[1], files[2], files[3], files[4]})
	if err = errors.Join(err, closeAll()); err != nil {
		return Truth{}, err
	}
	return t, writeTruth(filepath.Join(dir, "truth.json"), t)
}

func writeTruth(path string, t Truth) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("synth: encode truth: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}
