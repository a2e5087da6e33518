package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/ingest/synth"
)

func TestSynthCommandMechanics(t *testing.T) {
	base := []string{"--reps", "5", "--months", "4", "--start", "2026-01-01"}
	tests := []struct {
		name  string
		args  []string
		check func(synth.Config) bool
	}{
		{"default firm", nil, func(c synth.Config) bool {
			return c.Knobs == synth.Knobs{} && c.Seed == 1 && c.AmountSigma == 0
		}},
		{"catalogue firm with overrides", []string{"--firm", "stage-blind"}, func(c synth.Config) bool {
			want := findMust(t, "stage-blind")
			return c.StageBlindWins && c.Seed == want.Seed && c.Reps == 5 && c.Months == 4
		}},
		{"every knob", []string{"--stage-blind", "--stage-file-factor", "2.5", "--close-optimism", "14-21",
			"--season-amplitude", "3", "--turnover", "0.4", "--lag-peak", "3", "--amount-sigma", "1.2"}, func(c synth.Config) bool {
			return c.Knobs == synth.Knobs{StageBlindWins: true, StageFileFactor: 2.5, CloseOptimismMinDays: 14,
				CloseOptimismMaxDays: 21, SeasonAmplitude: 3, Turnover: 0.4, LagPeak: 3} && c.AmountSigma == 1.2 && c.Kinds[3].MaxLag == 4
		}},
		{"one-number optimism", []string{"--close-optimism", "7"}, func(c synth.Config) bool {
			return c.CloseOptimismMinDays == 7 && c.CloseOptimismMaxDays == 7
		}},
		{"snapshot shape", []string{"--shape", "snapshot"}, func(c synth.Config) bool {
			return c.Shape == synth.ShapeSnapshot
		}},
		{"crm format", []string{"--format", "crm"}, func(c synth.Config) bool {
			return c.Shape == synth.ShapeSnapshot
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, stderr, err := runCmd(t, nil, append(append([]string{"synth", "--out", dir}, base...), tc.args...)...)
			if err != nil || !strings.Contains(out, "wrote a firm of 5 reps over 4 months") {
				t.Fatalf("synth: %v\n%s%s", err, out, stderr)
			}
			f, err := os.Open(filepath.Join(dir, "truth.json"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tr, err := synth.ReadTruth(f)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(tr.Config) {
				t.Errorf("truth.json config %+v", tr.Config)
			}
		})
	}
}

func findMust(t *testing.T, name string) synth.Config {
	nc, ok := findMechanics(name)
	if !ok {
		t.Fatalf("no firm %q in the catalogue", name)
	}
	return nc.Config
}

func TestSynthCommandRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown firm", []string{"--firm", "nope"}, 2, `--firm "nope": want one of stages-right`},
		{"bad day range", []string{"--close-optimism", "two weeks"}, 2, `--close-optimism "two weeks": want MIN-MAX days`},
		{"reversed day range", []string{"--close-optimism", "21-14"}, 1, "close optimism 21-14 days"},
		{"turnover above one", []string{"--turnover", "2"}, 1, "turnover 2 outside [0, 1]"},
		{"unknown shape", []string{"--shape", "partial"}, 2, `shape "partial": want one of full, deals-only, snapshot`},
		{"unknown format", []string{"--format", "xlsx"}, 2, `--format "xlsx": want files or crm`},
		{"crm of a full history", []string{"--format", "crm", "--shape", "full"}, 2, "--format crm writes a snapshot, not --shape full"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"synth", "--out", t.TempDir(), "--reps", "2", "--months", "2"}, tc.args...)
			_, stderr, err := runCmd(t, nil, args...)
			msg := stderr
			if err != nil {
				msg += err.Error()
			}
			if exitCode(err) != tc.code || !strings.Contains(msg, tc.msg) {
				t.Errorf("exit %d (%v), stderr %q; want exit %d saying %q", exitCode(err), err, stderr, tc.code, tc.msg)
			}
		})
	}
}
