package ingest

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

// activityCSV returns n activity rows shaped like a typical export.
func activityCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("activity_id,rep_id,kind,occurred_at,account_id,deal_id\n")
	kinds := []string{"call", "email", "meeting", "demo"}
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	for i := range n {
		t := start.Add(time.Duration(i) * 97 * time.Second)
		fmt.Fprintf(&b, "act-%08d,rep-%03d,%s,%s,acc-%05d,deal-%06d\n", i, i%120, kinds[i%4],
			t.Format("2006-01-02 15:04:05"), i%9000, i%40000)
	}
	return b.Bytes()
}

func BenchmarkReadCSV(b *testing.B) {
	const rows = 100_000
	data := activityCSV(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(data), "activities.csv", Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

func BenchmarkParseActivity(b *testing.B) {
	const rows = 100_000
	data := activityCSV(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	conv := NewActivityConverter(time.UTC)
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(data), "activities.csv", Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := conv.Convert(rec); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("converted %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

func BenchmarkReadNDJSON(b *testing.B) {
	const rows = 20_000
	var buf bytes.Buffer
	for i := range rows {
		fmt.Fprintf(&buf, `{"activity_id":"act-%08d","rep_id":"rep-%03d","kind":"call","occurred_at":"2026-01-05 08:00:00","account_id":"acc-%05d","deal_id":null}`+"\n", i, i%120, i%9000)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(data), "activities.ndjson", Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, err := rd.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
