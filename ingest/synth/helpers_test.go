package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"testing"
	"time"
)

// output is one generated firm held in memory.
type output struct {
	truth                             Truth
	reps, quotas, stages, acts, deals bytes.Buffer
}

func generate(t testing.TB, cfg Config) *output {
	t.Helper()
	o := &output{}
	tr, err := Generate(context.Background(), cfg, Writers{&o.reps, &o.quotas, &o.stages, &o.acts, &o.deals})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	o.truth = tr
	return o
}

func testConfig(reps, months int, seed int64) Config {
	c := DefaultConfig()
	c.Reps, c.Months, c.Seed = reps, months, seed
	c.End = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return c
}

// readCSV checks the header and returns the records after it.
func readCSV(t testing.TB, r io.Reader, header string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v", err)
	}
	if len(recs) == 0 {
		t.Fatalf("empty file, want header %q", header)
	}
	got := bytes.Join(toBytes(recs[0]), []byte(","))
	if string(got) != header {
		t.Fatalf("header %q, want %q", got, header)
	}
	return recs[1:]
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

type activityRow struct {
	id, rep, kind, account, deal string
	at                           time.Time
}

type dealRow struct {
	id, rep, account, stage, status, closeDate string
	amount                                     float64
	created, closed, updated                   time.Time
}

func parseTime(t testing.TB, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad time %q: %v", s, err)
	}
	return v
}

func parseAmount(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("bad amount %q: %v", s, err)
	}
	return v
}

func (o *output) activities(t testing.TB) []activityRow {
	recs := readCSV(t, bytesReader(&o.acts), activitiesHeader)
	rows := make([]activityRow, len(recs))
	for i, r := range recs {
		rows[i] = activityRow{id: r[0], rep: r[1], kind: r[2], at: parseTime(t, r[3]), account: r[4], deal: r[5]}
	}
	return rows
}

func (o *output) dealRows(t testing.TB) []dealRow {
	recs := readCSV(t, bytesReader(&o.deals), dealsHeader)
	rows := make([]dealRow, len(recs))
	for i, r := range recs {
		rows[i] = dealRow{id: r[0], rep: r[1], account: r[2], stage: r[3], status: r[4], amount: parseAmount(t, r[5]),
			created: parseTime(t, r[6]), closeDate: r[7], closed: parseTime(t, r[8]), updated: parseTime(t, r[9])}
	}
	return rows
}

// finals returns the last version of each deal.
func finals(rows []dealRow) map[string]dealRow {
	last := make(map[string]dealRow)
	for _, r := range rows {
		last[r.id] = r
	}
	return last
}

// monthIndex is the 0-based history month of ts.
func monthIndex(start, ts time.Time) int {
	return (ts.Year()-start.Year())*12 + int(ts.Month()) - int(start.Month())
}

func bytesReader(b *bytes.Buffer) io.Reader {
	return bytes.NewReader(b.Bytes())
}
