package dashboards

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// RefitConfig wires a Refitter; the caller injects the fit, the clock and the log.
type RefitConfig struct {
	// Firms are the firms kept current; a firm loaded into or asked for later is added.
	Firms []string
	// Fit refits one firm's recipe and combination on the data known now and stores the fit; required.
	Fit func(ctx context.Context, firm string) error
	// LastFit returns when the firm's newest stored fit ran (zero when none); nil means unknown,
	// so every firm is refitted once at start.
	LastFit func(ctx context.Context, firm string) (time.Time, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Debounce is how long after a load the firm is refitted: loads within it share one refit,
	// so loads refit a firm at most once per Debounce; zero means 5 minutes.
	Debounce time.Duration
	// Every is the longest time between two refits of a firm; zero means 24 hours.
	Every time.Duration
	// Retry is the wait after a failed refit; zero means one hour.
	Retry time.Duration
	// Done, when set, is told of each finished refit (for metrics).
	Done func(firm string, took time.Duration, err error)
	// Logger receives one line per refit; nil discards them.
	Logger *slog.Logger
}

// Refitter keeps each firm's stored fit current: it refits a firm a while after data was loaded
// into it, at least every day and when an admin asks, one fit at a time, in the background.
// Pages keep reading the previous stored fit until the new one is stored.
type Refitter struct {
	cfg  RefitConfig
	wake chan struct{}

	mu      sync.Mutex
	firms   map[string]*refitState
	running string
	// gens counts each firm's stored refits, so cached answers built on an older fit are not reused.
	gens map[string]uint64
}

// refitState is what the Refitter knows of one firm.
type refitState struct {
	next   time.Time // when the firm is due
	loaded time.Time // first load since the last refit started; zero when none
	asked  bool      // an admin asked for a refit
	last   time.Time // when the last refit succeeded (or the stored fit ran)
	err    error     // the last refit's failure
}

// RefitStatus is where a firm's refit stands, as POST /api/v1/fit answers it.
type RefitStatus struct {
	Firm string `json:"firm"`
	// State is queued or running.
	State string `json:"state"`
	// LastFit is when the firm's newest fit ran, as far as the Refitter knows; nil when none.
	LastFit *time.Time `json:"last_fit,omitempty"`
	// LastError is the last refit's failure, if it failed.
	LastError string `json:"last_error,omitempty"`
	// Check says where the new fit shows once stored.
	Check string `json:"check"`
}

// NewRefitter checks the configuration and returns a Refitter; Run starts it.
func NewRefitter(cfg RefitConfig) (*Refitter, error) {
	if cfg.Fit == nil {
		return nil, errors.New("dashboards: a refitter needs a Fit")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Debounce = orDuration(cfg.Debounce, 5*time.Minute)
	cfg.Every = orDuration(cfg.Every, 24*time.Hour)
	cfg.Retry = orDuration(cfg.Retry, time.Hour)
	r := &Refitter{cfg: cfg, wake: make(chan struct{}, 1), firms: map[string]*refitState{}, gens: map[string]uint64{}}
	for _, f := range cfg.Firms {
		r.state(f)
	}
	return r, nil
}

// Loaded tells that a load of the firm's data committed: the firm is refitted Debounce later,
// together with every other load by then.
func (r *Refitter) Loaded(firm string) {
	r.mu.Lock()
	_, known := r.firms[firm]
	st := r.state(firm)
	if st.loaded.IsZero() {
		st.loaded = r.cfg.Now()
		due := st.loaded.Add(r.cfg.Debounce)
		if known {
			due = minTime(st.next, due)
		}
		st.next = due
	}
	r.mu.Unlock()
	r.poke()
}

// Request asks for a refit of the firm as soon as the one running ends; a firm being refitted
// is not queued again.
func (r *Refitter) Request(firm string) RefitStatus {
	r.mu.Lock()
	st := r.state(firm)
	state := "running"
	if r.running != firm {
		st.asked, state = true, "queued"
	}
	out := RefitStatus{Firm: firm, State: state, Check: "GET /api/v1/recipe: fitted_at"}
	if !st.last.IsZero() {
		last := st.last
		out.LastFit = &last
	}
	if st.err != nil {
		out.LastError = st.err.Error()
	}
	r.mu.Unlock()
	r.poke()
	return out
}

// Generation names the firm's latest stored refit, for cache keys: it changes when one is stored.
func (r *Refitter) Generation(firm string) string {
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return strconv.FormatUint(r.gens[firm], 10)
}

// Run reads when each firm was last fitted, then refits due firms one at a time until ctx ends.
func (r *Refitter) Run(ctx context.Context) {
	r.start(ctx)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		r.runDue(ctx)
		if ctx.Err() != nil {
			return
		}
		t.Reset(max(r.nextDue().Sub(r.cfg.Now()), 0))
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
		}
	}
}

// start schedules each firm's first refit a day (Every) after its stored fit; a firm without one,
// or whose fit cannot be read, is due at once.
func (r *Refitter) start(ctx context.Context) {
	for _, firm := range r.known() {
		var last time.Time
		if r.cfg.LastFit != nil {
			var err error
			if last, err = r.cfg.LastFit(ctx, firm); err != nil {
				r.cfg.Logger.WarnContext(ctx, "refit: cannot read the last fit; refitting now", "firm", firm, "err", err)
				last = time.Time{}
			}
		}
		r.mu.Lock()
		if st := r.state(firm); !last.IsZero() {
			st.last, st.next = last, last.Add(r.cfg.Every)
			if !st.loaded.IsZero() {
				st.next = minTime(st.next, st.loaded.Add(r.cfg.Debounce))
			}
		}
		r.mu.Unlock()
	}
}

// known lists the firms the Refitter keeps.
func (r *Refitter) known() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.firms))
	for f := range r.firms {
		out = append(out, f)
	}
	return out
}

// runDue refits every firm that is due, one at a time, asked firms first; it returns how many it refitted.
func (r *Refitter) runDue(ctx context.Context) int {
	n := 0
	for ctx.Err() == nil {
		firm, ok := r.pick()
		if !ok {
			return n
		}
		r.refit(ctx, firm)
		n++
	}
	return n
}

// pick takes the due firm to refit next and marks it running: one asked for first, then the one
// due the longest.
func (r *Refitter) pick() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	best, found := "", false
	for firm, st := range r.firms {
		if !st.asked && st.next.After(now) {
			continue
		}
		if !found || better(st, r.firms[best], firm, best) {
			best, found = firm, true
		}
	}
	if found {
		r.running = best
		st := r.firms[best]
		st.asked, st.loaded = false, time.Time{}
	}
	return best, found
}

// better orders due firms: asked before not asked, then the earlier due time, then the name.
func better(a, b *refitState, an, bn string) bool {
	if a.asked != b.asked {
		return a.asked
	}
	if !a.next.Equal(b.next) {
		return a.next.Before(b.next)
	}
	return an < bn
}

// refit fits one firm, logs it and schedules its next refit; a fit cut short by shutdown is not counted.
func (r *Refitter) refit(ctx context.Context, firm string) {
	start := r.cfg.Now()
	err := r.cfg.Fit(ctx, firm)
	end := r.cfg.Now()
	took := end.Sub(start)
	switch {
	case err != nil && ctx.Err() != nil:
		r.cfg.Logger.InfoContext(ctx, "refit stopped by shutdown", "firm", firm, "duration", took)
		r.mu.Lock()
		r.running = ""
		r.mu.Unlock()
		return
	case err != nil:
		r.cfg.Logger.WarnContext(ctx, "refit failed; pages keep the previous fit", "firm", firm, "duration", took, "err", err)
	default:
		r.cfg.Logger.InfoContext(ctx, "refit", "firm", firm, "duration", took)
	}
	r.finish(firm, end, err)
	if r.cfg.Done != nil {
		r.cfg.Done(firm, took, err)
	}
}

// finish records a refit that ended at end and schedules the firm's next one: Every after a
// success, Retry after a failure, and Debounce after a load that came while it ran.
func (r *Refitter) finish(firm string, end time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.state(firm)
	r.running = ""
	st.err = err
	if err == nil {
		st.last, st.next = end, end.Add(r.cfg.Every)
		r.gens[firm]++
	} else {
		st.next = end.Add(r.cfg.Retry)
	}
	if !st.loaded.IsZero() {
		st.next = minTime(st.next, st.loaded.Add(r.cfg.Debounce))
	}
}

// nextDue returns the earliest time a firm is due; an asked firm is due now.
func (r *Refitter) nextDue() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	next := now.Add(r.cfg.Every)
	for _, st := range r.firms {
		if st.asked {
			return now
		}
		next = minTime(next, st.next)
	}
	return next
}

// state returns the firm's state, adding the firm, due now, when new; the lock is held.
func (r *Refitter) state(firm string) *refitState {
	st, ok := r.firms[firm]
	if !ok {
		st = &refitState{next: r.cfg.Now()}
		r.firms[firm] = st
	}
	return st
}

// poke wakes Run without blocking.
func (r *Refitter) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}
