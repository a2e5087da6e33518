package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The seed corpora live in testdata/fuzz and run with every go test; fuzzing itself runs only
// with -fuzz, such as: go test ./ingest -run '^$' -fuzz FuzzReadCSV -fuzztime 1m.

// drain reads every record, checking what must hold for any input, and returns the records' fields.
func drain(t *testing.T, data []byte, opts Options) [][]string {
	t.Helper()
	opts.MaxRecordBytes = 4096
	rd, err := NewReader(bytes.NewReader(data), "fuzz", opts)
	if err != nil {
		return nil
	}
	defer rd.Close()
	var out [][]string
	last := 0
	for range 10_000 {
		rec, err := rd.Next()
		var rowErr *RowError
		switch {
		case err == io.EOF:
			return out
		case errors.As(err, &rowErr):
			checkPosition(t, rowErr.Position, &last)
			continue
		case err != nil:
			if _, again := rd.Next(); again != err {
				t.Fatalf("fatal error %v was not sticky: then %v", err, again)
			}
			return out
		}
		checkPosition(t, rec.Position, &last)
		if rd.Format() == FormatCSV && len(rec.values) != rec.Header().Len() {
			t.Fatalf("record has %d values, header %d", len(rec.values), rec.Header().Len())
		}
		if rec.Raw == "" {
			t.Fatal("record without raw text")
		}
		out = append(out, append([]string(nil), rec.values...))
	}
	t.Fatal("reader did not end within 10,000 records")
	return nil
}

func checkPosition(t *testing.T, p Position, last *int) {
	t.Helper()
	if p.Line <= *last {
		t.Fatalf("position %d after %d: positions must increase", p.Line, *last)
	}
	*last = p.Line
}

func FuzzReadCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		drain(t, data, Options{Format: FormatCSV})
		drain(t, data, Options{Format: FormatCSV, AcceptMissingFinalNewline: true})
		roundTrip(t, strings.SplitN(string(data), "\x00", 3))
	})
}

// roundTrip writes fields with encoding/csv and expects to read them back unchanged.
func roundTrip(t *testing.T, fields []string) {
	for len(fields) < 3 {
		fields = append(fields, "")
	}
	// Each field must be valid UTF-8 on its own: invalid bytes can join into a valid sequence.
	if joined := strings.Join(fields, ""); allEmpty(fields) || slices.ContainsFunc(fields, func(f string) bool { return !utf8.ValidString(f) }) || len(joined) > 2000 {
		return // drain bounds records to 4 KiB
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll([][]string{{"a", "b", "c"}, fields}); err != nil {
		t.Fatal(err)
	}
	got := drain(t, b.Bytes(), Options{Format: FormatCSV})
	want := make([]string, len(fields))
	for i, f := range fields {
		want[i] = strings.ReplaceAll(f, "\r\n", "\n")
	}
	if len(got) != 1 || !slices.Equal(got[0], want) {
		t.Fatalf("wrote %q as %q, read back %q", fields, b.String(), got)
	}
}

func FuzzReadNDJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		got := drain(t, data, Options{Format: FormatNDJSON})
		if len(got) > strings.Count(string(data), "\n")+1 {
			t.Fatalf("%d records from %d lines", len(got), strings.Count(string(data), "\n")+1)
		}
		line := bytes.TrimSpace(data)
		var obj map[string]json.RawMessage
		// The reader rejects invalid UTF-8 on purpose; encoding/json would replace it.
		if bytes.IndexByte(line, '\n') < 0 && utf8.Valid(line) && json.Unmarshal(line, &obj) == nil && obj != nil && len(line) < 4000 {
			if len(got) != 1 {
				t.Fatalf("one valid object %q gave %d records", line, len(got))
			}
			sameAsEncodingJSON(t, line, obj)
		}
	})
}

// sameAsEncodingJSON checks the reader's fields against encoding/json's reading of one object
// whose keys stay distinct once normalised.
func sameAsEncodingJSON(t *testing.T, line []byte, obj map[string]json.RawMessage) {
	want := map[string]string{}
	for k, raw := range obj {
		v, err := jsonText(raw)
		if err != nil {
			t.Fatal(err)
		}
		want[NormalizeName(k)] = v
	}
	if len(want) != len(obj) {
		return
	}
	rd, err := NewReader(bytes.NewReader(line), "fuzz", Options{Format: FormatNDJSON})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Fields(); !maps.Equal(got, want) {
		t.Fatalf("%s: read %q, encoding/json says %q", line, got, want)
	}
}

func FuzzReadJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		got := drain(t, data, Options{Format: FormatJSON})
		var arr []map[string]any
		// The reader rejects invalid UTF-8 on purpose; encoding/json would replace it.
		if len(data) < 4000 && utf8.Valid(data) && json.Unmarshal(data, &arr) == nil && !slices.ContainsFunc(arr, func(m map[string]any) bool { return m == nil }) {
			if len(got) != len(arr) {
				t.Fatalf("array of %d objects gave %d records", len(arr), len(got))
			}
		}
	})
}

func FuzzParseTime(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s, time.FixedZone("X", 3600))
		if err == nil && got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) = %v, not in UTC", s, got)
		}
		var ve *ValueError
		if err != nil && (!errors.As(err, &ve) || ve.Value != s) {
			t.Fatalf("ParseTime(%q) error %v is not a *ValueError with the value", s, err)
		}
		v := trimSpace(s)
		if strings.ContainsAny(v, ",tz") || len(v) > 35 || offsetOutOfRange(v) {
			return // time.Parse also takes a comma before fractions, more than 9 digits and offsets like +00:60
		}
		if want, perr := time.Parse(time.RFC3339Nano, v); perr == nil && hasShape(v, "dddd-dd-ddTdd:dd:dd") {
			if err != nil || !got.Equal(want) {
				t.Fatalf("ParseTime(%q) = %v, %v; time.Parse says %v", s, got, err, want)
			}
		}
		if want, perr := time.ParseInLocation(time.DateTime, v, time.FixedZone("X", 3600)); perr == nil && len(v) == 19 && hasShape(v, "dddd-dd-dd dd:dd:dd") {
			if err != nil || !got.Equal(want) {
				t.Fatalf("ParseTime(%q) = %v, %v; time.Parse says %v", s, got, err, want)
			}
		}
	})
}

// offsetOutOfRange reports a trailing ±hh:mm offset beyond RFC 3339's 23:59,
// which ParseTime rejects and time.Parse takes.
func offsetOutOfRange(v string) bool {
	if len(v) < 6 || !hasShape(v[len(v)-5:], "dd:dd") || v[len(v)-6] != '+' && v[len(v)-6] != '-' {
		return false
	}
	z := v[len(v)-5:]
	return z[:2] > "23" || z[3:] > "59"
}

// hasShape reports whether s starts with shape, where d stands for any digit; time.Parse
// is laxer than the formats promise (one-digit hours, a space for a digit).
func hasShape(s, shape string) bool {
	if len(s) < len(shape) {
		return false
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' && (s[i] < '0' || s[i] > '9') || shape[i] != 'd' && s[i] != shape[i] {
			return false
		}
	}
	return true
}

func FuzzParseAmount(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseAmount(s)
		if err == nil {
			want, perr := strconv.ParseFloat(trimSpace(s), 64)
			if perr != nil || v != want || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				t.Fatalf("ParseAmount(%q) = %v; ParseFloat says %v, %v", s, v, want, perr)
			}
			return
		}
		if !strings.HasPrefix(err.Error(), "amount "+strconv.Quote(s)+": ") {
			t.Fatalf("error %q does not start with the quoted value", err)
		}
		if _, fix, ok := strings.Cut(err.Error(), "; write "); ok && !strings.HasPrefix(fix, "a plain") {
			if _, err := ParseAmount(fix); err != nil {
				t.Fatalf("ParseAmount(%q) suggests %q, which is rejected: %v", s, fix, err)
			}
		}
	})
}
