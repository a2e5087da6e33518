package model_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/salesrecipe/salesrecipe"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/model"
)

// lineWriter is an io.Writer that hands each complete line after the header to row, so a firm is read as it streams.
type lineWriter struct {
	row     func(fields [][]byte) error
	width   int // fields a line must have
	partial []byte
	fields  [][]byte
	header  bool
}

// Write splits p into lines, keeping an incomplete last line for the next call.
func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			break
		}
		line := p[:i]
		if len(w.partial) > 0 {
			line = append(w.partial, line...)
			w.partial = w.partial[:0]
		}
		p = p[i+1:]
		if !w.header {
			w.header = true
			continue
		}
		if f := w.split(line); len(f) != w.width {
			return 0, fmt.Errorf("line %q has %d fields, want %d", line, len(f), w.width)
		} else if err := w.row(f); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// split cuts a CSV line at commas; synth never quotes a field of the files read here.
func (w *lineWriter) split(line []byte) [][]byte {
	w.fields = w.fields[:0]
	for {
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			return append(w.fields, line)
		}
		w.fields = append(w.fields, line[:i])
		line = line[i+1:]
	}
}

// dealEnd is the latest version seen of one deal.
type dealEnd struct {
	updated [24]byte // updated_at as written (RFC 3339 in UTC sorts as text), zero-padded
	seen    bool
	rep     int
	month   int // month of closed_at, -1 when open
	won     bool
	amount  float64
}

// panelBuilder turns the streamed quotas, activities and deals of one firm into a rep x month panel.
type panelBuilder struct {
	p         *model.Panel
	start     time.Time
	rep, kind map[string]int
	deals     map[string]*dealEnd
	order     []*dealEnd // deals in the order first seen, so revenue sums do not depend on map order
	last      lastKeys
}

// lastKeys caches the latest rep, month prefix and deal looked up: rows come grouped, so most lookups repeat.
type lastKeys struct {
	rep, month, deal []byte
	repIdx, monthIdx int
	dealEnd          *dealEnd
}

func newPanelBuilder(cfg synth.Config) *panelBuilder {
	b := &panelBuilder{start: cfg.Start(), rep: map[string]int{}, kind: map[string]int{}, deals: map[string]*dealEnd{},
		p: &model.Panel{Grain: salesrecipe.GrainMonth, Periods: cfg.Months}}
	for _, k := range cfg.Kinds {
		b.kind[k.Name] = len(b.p.Kinds)
		b.p.Kinds = append(b.p.Kinds, k.Name)
	}
	return b
}

// repIndex returns the panel row of a rep, adding an empty one the first time the rep is seen.
func (b *panelBuilder) repIndex(id []byte) int {
	if b.last.rep != nil && bytes.Equal(id, b.last.rep) {
		return b.last.repIdx
	}
	r, ok := b.rep[string(id)]
	if !ok {
		r = b.addRep(id)
	}
	b.last.rep, b.last.repIdx = append(b.last.rep[:0], id...), r
	return r
}

// addRep adds an empty panel row for a rep seen for the first time.
func (b *panelBuilder) addRep(id []byte) int {
	r := len(b.p.Reps)
	b.rep[string(id)] = r
	b.p.Reps = append(b.p.Reps, string(id))
	counts := make([][]float64, b.p.Periods)
	for t := range counts {
		counts[t] = make([]float64, len(b.p.Kinds))
	}
	b.p.Counts = append(b.p.Counts, counts)
	b.p.Revenue = append(b.p.Revenue, make([]float64, b.p.Periods))
	b.p.Active = append(b.p.Active, make([]bool, b.p.Periods))
	return r
}

// month returns the history month of a timestamp or date that starts with YYYY-MM.
func (b *panelBuilder) month(ts []byte) (int, error) {
	if len(ts) < 7 || ts[4] != '-' {
		return 0, fmt.Errorf("bad time %q", ts)
	}
	if b.last.month != nil && bytes.Equal(ts[:7], b.last.month) {
		return b.last.monthIdx, nil
	}
	y, err1 := strconv.Atoi(string(ts[:4]))
	m, err2 := strconv.Atoi(string(ts[5:7]))
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad time %q", ts)
	}
	b.last.month = append(b.last.month[:0], ts[:7]...)
	b.last.monthIdx = (y-b.start.Year())*12 + m - int(b.start.Month())
	return b.last.monthIdx, nil
}

// quota marks the rep employed (active) in the quota's month: reps joining late or leaving have no row then.
func (b *panelBuilder) quota(f [][]byte) error {
	m, err := b.historyMonth(f[1])
	if err != nil {
		return fmt.Errorf("quota of %s: %w", f[0], err)
	}
	b.p.Active[b.repIndex(f[0])][m] = true
	return nil
}

// activity counts one activity of any kind, touches of open deals included.
func (b *panelBuilder) activity(f [][]byte) error {
	m, err := b.historyMonth(f[3])
	if err != nil {
		return fmt.Errorf("activity %s: %w", f[0], err)
	}
	k, ok := b.kind[string(f[2])]
	if !ok {
		return fmt.Errorf("activity %s: unknown kind %q", f[0], f[2])
	}
	b.p.Counts[b.repIndex(f[1])][m][k]++
	return nil
}

// historyMonth returns the month of ts, which must lie in the history.
func (b *panelBuilder) historyMonth(ts []byte) (int, error) {
	m, err := b.month(ts)
	if err == nil && (m < 0 || m >= b.p.Periods) {
		err = fmt.Errorf("time %s outside the history", ts)
	}
	return m, err
}

// deal keeps the latest version of each deal by updated_at.
func (b *panelBuilder) deal(f [][]byte) error {
	d := b.latest(f[0])
	var updated [24]byte
	if len(f[9]) > len(updated) {
		return fmt.Errorf("deal %s: bad updated_at %q", f[0], f[9])
	}
	copy(updated[:], f[9])
	if d.seen && bytes.Compare(updated[:], d.updated[:]) < 0 {
		return nil
	}
	d.seen, d.updated, d.rep, d.won, d.month = true, updated, b.repIndex(f[1]), string(f[4]) == "won", -1
	if len(f[8]) == 0 {
		return nil
	}
	m, err := b.month(f[8])
	if err != nil {
		return fmt.Errorf("deal %s: %w", f[0], err)
	}
	d.month = m
	if d.won {
		d.amount, err = strconv.ParseFloat(string(f[5]), 64)
	}
	return err
}

// latest returns the latest version kept of a deal, adding an empty one the first time the deal is seen.
func (b *panelBuilder) latest(id []byte) *dealEnd {
	if b.last.deal != nil && bytes.Equal(id, b.last.deal) {
		return b.last.dealEnd
	}
	d := b.deals[string(id)]
	if d == nil {
		d = &dealEnd{}
		b.deals[string(id)] = d
		b.order = append(b.order, d)
	}
	b.last.deal, b.last.dealEnd = append(b.last.deal[:0], id...), d
	return d
}

// finish adds won revenue by the month of closed_at to the rep's active months.
func (b *panelBuilder) finish() *model.Panel {
	for _, d := range b.order {
		if d.won && d.month >= 0 && d.month < b.p.Periods && b.p.Active[d.rep][d.month] {
			b.p.Revenue[d.rep][d.month] += d.amount
		}
	}
	return b.p
}

// synthPanel generates a firm into memory and builds the panel from its CSV rows as the product counts them.
func synthPanel(t testing.TB, cfg synth.Config) (synth.Truth, *model.Panel) {
	t.Helper()
	b := newPanelBuilder(cfg)
	w := synth.Writers{Reps: io.Discard, Stages: io.Discard, Quotas: &lineWriter{row: b.quota, width: 4},
		Activities: &lineWriter{row: b.activity, width: 6}, Deals: &lineWriter{row: b.deal, width: 10}}
	tr, err := synth.Generate(context.Background(), cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	if n := b.activities(); n != tr.Rows.Activities || int64(len(b.order)) != tr.Rows.Deals {
		t.Fatalf("read %d activities and %d deals, truth.json says %d and %d", n, len(b.order), tr.Rows.Activities, tr.Rows.Deals)
	}
	return tr, b.finish()
}

// activities returns the number of activities counted.
func (b *panelBuilder) activities() int64 {
	n := 0.0
	for _, rep := range b.p.Counts {
		for _, row := range rep {
			for _, c := range row {
				n += c
			}
		}
	}
	return int64(n)
}
