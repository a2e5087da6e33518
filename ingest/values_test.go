package ingest

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	ny := time.FixedZone("EST", -5*3600)
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2024-03-05T14:22:10Z", nil, time.Date(2024, 3, 5, 14, 22, 10, 0, time.UTC)},
		{"2024-03-05T14:22:10.123456789Z", nil, time.Date(2024, 3, 5, 14, 22, 10, 123456789, time.UTC)},
		{"2024-03-05T14:22:10.5+02:00", ny, time.Date(2024, 3, 5, 12, 22, 10, 500e6, time.UTC)},
		{"2024-03-05t14:22:10-05:30", nil, time.Date(2024, 3, 5, 19, 52, 10, 0, time.UTC)},
		{"2024-03-05 14:22:10", nil, time.Date(2024, 3, 5, 14, 22, 10, 0, time.UTC)},
		{"2024-03-05 14:22:10", ny, time.Date(2024, 3, 5, 19, 22, 10, 0, time.UTC)},
		{"2024-03-05 14:22:10.250", nil, time.Date(2024, 3, 5, 14, 22, 10, 250e6, time.UTC)},
		{"2024-03-05 14:22", nil, time.Date(2024, 3, 5, 14, 22, 0, 0, time.UTC)},
		{"2024-03-05T14:22:10", ny, time.Date(2024, 3, 5, 19, 22, 10, 0, time.UTC)},
		{"2024-03-05", nil, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"2024-03-05", ny, time.Date(2024, 3, 5, 5, 0, 0, 0, time.UTC)},
		{"  2024-02-29  ", nil, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"1709648530", ny, time.Date(2024, 3, 5, 14, 22, 10, 0, time.UTC)},
		{"1709648530123", nil, time.Date(2024, 3, 5, 14, 22, 10, 123e6, time.UTC)},
		{"0", nil, time.Unix(0, 0).UTC()},
		{"99999999999", nil, time.Unix(99999999999, 0).UTC()},
		{"100000000000", nil, time.UnixMilli(100000000000).UTC()},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTimeErrors(t *testing.T) {
	const notDate = "not a date (want RFC 3339, YYYY-MM-DD HH:MM:SS, YYYY-MM-DD or Unix seconds)"
	tests := []struct{ in, want string }{
		{"", `time "": empty`},
		{"   ", `time "   ": empty`},
		{"2024-13-01", `time "2024-13-01": ` + notDate},
		{"2023-02-29", `time "2023-02-29": ` + notDate},
		{"2024-04-31", `time "2024-04-31": ` + notDate},
		{"2024-00-10", `time "2024-00-10": ` + notDate},
		{"2024-03-05 24:00:00", `time "2024-03-05 24:00:00": ` + notDate},
		{"2024-03-05 12:60", `time "2024-03-05 12:60": ` + notDate},
		{"2024-03-05 12:00:60", `time "2024-03-05 12:00:60": ` + notDate},
		{"2024-03-05 14:22:10Z", `time "2024-03-05 14:22:10Z": ` + notDate},
		{"2024-03-05T14:22", `time "2024-03-05T14:22": ` + notDate},
		{"2024-03-05T14:22:10+0000", `time "2024-03-05T14:22:10+0000": ` + notDate},
		{"2024-03-05T14:22:10+24:00", `time "2024-03-05T14:22:10+24:00": ` + notDate},
		{"2024-03-05T14:22:10+00:60", `time "2024-03-05T14:22:10+00:60": ` + notDate},
		{"2024-03-05T14:22:10.", `time "2024-03-05T14:22:10.": ` + notDate},
		{"2024-03-05T14:22:10.1234567891Z", `time "2024-03-05T14:22:10.1234567891Z": ` + notDate},
		{"03/05/2024", `time "03/05/2024": ` + notDate},
		{"5 March 2024", `time "5 March 2024": ` + notDate},
		{"-1709648530", `time "-1709648530": ` + notDate},
		{"20240305", `time "20240305": 8 digits look like YYYYMMDD; write 2024-03-05 (or 10-digit Unix seconds)`},
		{"100000000000000", `time "100000000000000": too many digits for Unix seconds or milliseconds`},
		{"99999999999999999999", `time "99999999999999999999": too many digits for Unix seconds or milliseconds`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseTime(tt.in, nil)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v\n        want %s", err, tt.want)
			}
			var ve *ValueError
			if !errors.As(err, &ve) || ve.Value != tt.in {
				t.Errorf("error is not a *ValueError with the value: %#v", err)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		in   string
		loc  *time.Location
		want string
	}{
		{"2024-03-31", tokyo, "2024-03-31"},
		{"2024-03-31", nil, "2024-03-31"},
		{"2024-03-31T20:00:00Z", tokyo, "2024-04-01"},
		{"2024-03-31T20:00:00Z", nil, "2024-03-31"},
		{"2024-03-31 23:59:59", tokyo, "2024-03-31"},
		{"1711929600", nil, "2024-04-01"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got.Format(time.RFC3339) != tt.want+"T00:00:00Z" {
				t.Errorf("ParseDate(%q) = %v, want %s UTC midnight", tt.in, got, tt.want)
			}
		})
	}
	if _, err := ParseDate("2024-02-30", nil); err == nil {
		t.Error("ParseDate accepted February 30")
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"0", 0}, {"1200", 1200}, {"1200.50", 1200.5}, {" 99.9 ", 99.9}, {".5", 0.5}, {"5.", 5},
		{"000123", 123}, {"12345678901234567890", 12345678901234567890},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseAmount(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseAmountErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"$1,200", `amount "$1,200": currency symbol not allowed; write 1200.00`},
		{"€ 1.234,5", `amount "€ 1.234,5": currency symbol not allowed; write 1234.50`},
		{"1200 USD", `amount "1200 USD": currency symbol not allowed; write 1200.00`},
		{"EUR1200", `amount "EUR1200": currency symbol not allowed; write 1200.00`},
		{"1,200", `amount "1,200": thousands separator not allowed; write 1200.00`},
		{"1,234,567.891", `amount "1,234,567.891": thousands separator not allowed; write 1234567.891`},
		{"1 200", `amount "1 200": thousands separator not allowed; write 1200.00`},
		{"1'200.5", `amount "1'200.5": thousands separator not allowed; write 1200.50`},
		{"1\u00a0200", `amount "1\u00a0200": thousands separator not allowed; write 1200.00`},
		{"1200,50", `amount "1200,50": decimal comma not allowed; write 1200.50`},
		{"1.200,50", `amount "1.200,50": thousands separator and decimal comma not allowed; write 1200.50`},
		{"12,34,567", `amount "12,34,567": thousands separator not allowed; write a plain decimal like 1200.50`},
		{"-5", `amount "-5": negative amount not allowed`},
		{"-$1,200", `amount "-$1,200": negative amount not allowed`},
		{"(500)", `amount "(500)": negative amount not allowed`},
		{"500-", `amount "500-": negative amount not allowed`},
		{"\u22125", "amount \"\u22125\": negative amount not allowed"},
		{"+5", `amount "+5": leading + not allowed; write 5.00`},
		{"1e6", `amount "1e6": exponent not allowed; write 1000000.00`},
		{"NaN", `amount "NaN": not a finite number`},
		{"-Inf", `amount "-Inf": not a finite number`},
		{"infinity", `amount "infinity": not a finite number`},
		{"", `amount "": empty`},
		{"abc", `amount "abc": not a number (want a plain decimal like 1200.50)`},
		{"12.3.4", `amount "12.3.4": not a number (want a plain decimal like 1200.50)`},
		{"1.2.", `amount "1.2.": not a number (want a plain decimal like 1200.50)`},
		{".", `amount ".": not a number (want a plain decimal like 1200.50)`},
		{"1e400", `amount "1e400": not a number (want a plain decimal like 1200.50)`},
		{"9" + repeat('9', 400), `amount "` + "9" + repeat('9', 400) + `": too large`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := ParseAmount(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("ParseAmount = %v, %v\n              want %s", v, err, tt.want)
			}
			if v != 0 || math.IsNaN(v) {
				t.Errorf("a rejected amount returned %v", v)
			}
		})
	}
}

func repeat(c byte, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return string(b)
}
