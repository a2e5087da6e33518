package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// readAll describes every outcome of reading input: a record as "pos {field=value ...} raw=..."
// (fields in header order), a rejected record as "reject: message", and how reading ended.
func readAll(t *testing.T, input []byte, opts Options) []string {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(input), "in", opts)
	if err != nil {
		return []string{"open: " + err.Error()}
	}
	defer rd.Close()
	var out []string
	for {
		rec, err := rd.Next()
		var rowErr *RowError
		switch {
		case err == io.EOF:
			return out
		case errors.As(err, &rowErr):
			out = append(out, "reject: "+err.Error()+" raw="+strconv.Quote(rowErr.Raw))
		case err != nil:
			return append(out, "fatal: "+err.Error())
		default:
			out = append(out, describe(rec))
		}
	}
}

func describe(rec *Record) string {
	var parts []string
	for i, name := range rec.Header().Names() {
		if v, ok := rec.Value(i); ok {
			parts = append(parts, name+"="+strconv.Quote(v))
		}
	}
	return fmt.Sprintf("%s {%s} raw=%q", rec.Position, strings.Join(parts, " "), rec.Raw)
}

func TestReader(t *testing.T) {
	tests := []struct {
		name  string
		input string
		opts  Options
		want  []string
	}{
		{"plain csv", "a,b\n1,2\n", Options{}, []string{`in:2 {a="1" b="2"} raw="1,2"`}},
		{"header normalised", " Rep_ID ,\"Kind\"\nr1,call\n", Options{}, []string{`in:2 {rep_id="r1" kind="call"} raw="r1,call"`}},
		{"bom, semicolon, crlf", "\ufeffa;b\r\n1;2,5\r\n", Options{}, []string{`in:2 {a="1" b="2,5"} raw="1;2,5"`}},
		{"tab", "a\tb\n1\t2\n", Options{}, []string{`in:2 {a="1" b="2"} raw="1\t2"`}},
		{"quoted delimiter wins nothing", "\"a,x\";b\n1;2\n", Options{}, []string{`in:2 {a,x="1" b="2"} raw="1;2"`}},
		{"blank lines and empty rows skipped", "\n\na,b\n\n  \n1,2\n,\n\r\n3,4\n", Options{},
			[]string{`in:6 {a="1" b="2"} raw="1,2"`, `in:9 {a="3" b="4"} raw="3,4"`}},
		{"quoted newline keeps physical line", "a,b\n\"x\ny\",2\n3,4\n", Options{},
			[]string{`in:2 {a="x\ny" b="2"} raw="\"x\ny\",2"`, `in:4 {a="3" b="4"} raw="3,4"`}},
		{"quoted crlf becomes lf", "a,b\r\n\"x\r\ny\",\"q\"\"uote\"\r\n", Options{},
			[]string{`in:2 {a="x\ny" b="q\"uote"} raw="\"x\r\ny\",\"q\"\"uote\""`}},
		{"spaces around quotes", "a,b\n  \"x, y\"  ,2\n", Options{}, []string{`in:2 {a="x, y" b="2"} raw="  \"x, y\"  ,2"`}},
		{"bare quote inside a value", "a,b\n12\" pipe,2\n", Options{}, []string{`in:2 {a="12\" pipe" b="2"} raw="12\" pipe,2"`}},
		{"empty quoted", "a,b\n\"\",\"\"\"\"\n", Options{}, []string{`in:2 {a="" b="\""} raw="\"\",\"\"\"\""`}},
		{"text after closing quote", "a,b\n1,\"2\"x\n3,4\n", Options{},
			[]string{`reject: in:2: column b: text after a closing quote (write a quote inside a quoted value as "") raw="1,\"2\"x"`,
				`in:3 {a="3" b="4"} raw="3,4"`}},
		{"too few and too many fields", "a,b,c\n1,2\n1,2,3,4\n", Options{}, []string{
			`reject: in:2: row has 2 fields, header has 3 raw="1,2"`,
			`reject: in:3: row has 4 fields, header has 3 (is there an unquoted , inside a value?) raw="1,2,3,4"`}},
		{"missing final newline", "a,b\n1,2\n3,4", Options{}, []string{`in:2 {a="1" b="2"} raw="1,2"`,
			`reject: in:3: last line has no line break: the file may be truncated (add a final line break if the row is complete) raw="3,4"`}},
		{"missing final newline accepted", "a,b\n1,2\n3,4", Options{AcceptMissingFinalNewline: true},
			[]string{`in:2 {a="1" b="2"} raw="1,2"`, `in:3 {a="3" b="4"} raw="3,4"`}},
		{"unterminated quote", "a,b\n1,2\n3,\"four\nfive\n", Options{}, []string{`in:2 {a="1" b="2"} raw="1,2"`,
			`reject: in:3: quoted field never closed before the end of the file: the file may be truncated, or a value has a stray " raw="3,\"four\nfive"`}},
		{"header only", "a,b\n", Options{}, nil},
		{"header without newline", "a,b", Options{}, nil},
		{"empty file", "", Options{}, []string{"open: in: empty file: no header line"}},
		{"only blank lines", "\n \r\n", Options{}, []string{"open: in: empty file: no header line"}},
		{"utf-16", "\xff\xfea\x00", Options{}, []string{"open: in: file is UTF-16 encoded; save it as UTF-8 (in Excel: CSV UTF-8)"}},
		{"latin-1 row", "a,b\ncaf\xe9,2\n3,4\n", Options{}, []string{
			`reject: in:2: not valid UTF-8: save the file as UTF-8 (it looks like Windows-1252 or Latin-1) raw="caf\xe9,2"`,
			`in:3 {a="3" b="4"} raw="3,4"`}},
		{"record too long", "a,b\n\"" + strings.Repeat("x", 300) + "\n" + strings.Repeat("y", 300) + "\n", Options{MaxRecordBytes: 200},
			[]string{"fatal: in:2: record longer than 200 bytes (an unclosed quote, or not a text file?)"}},
		{"line too long", "a,b\n" + strings.Repeat("x", 70000) + ",1\n", Options{MaxRecordBytes: 1000},
			[]string{"fatal: in:2: record longer than 1000 bytes (an unclosed quote, or not a text file?)"}},
		{"long line within bound", "a,b\n" + strings.Repeat("x", 70000) + ",1\n", Options{},
			[]string{`in:2 {a="` + strings.Repeat("x", 70000) + `" b="1"} raw="` + strings.Repeat("x", 70000) + `,1"`}},
		{"ndjson", "{\"A\": 1, \"b\": null}\n\n{\"a\": \"x\\\"y\", \"c\": [1, {\"d\": true}]}\nnot json\n[1]\n{\"a\": 2}", Options{}, []string{
			`in:1 {a="1" b=""} raw="{\"A\": 1, \"b\": null}"`,
			`in:3 {a="x\"y" c="[1,{\"d\":true}]"} raw="{\"a\": \"x\\\"y\", \"c\": [1, {\"d\": true}]}"`,
			`reject: in:4: invalid JSON: want an object starting with { raw="not json"`,
			`reject: in:5: want a JSON object, got an array raw="[1]"`,
			`in:6 {a="2"} raw="{\"a\": 2}"`}},
		{"ndjson latin-1", "{\"a\": \"caf\xe9\"}\n", Options{}, []string{`reject: in:1: not valid UTF-8: save the file as UTF-8 raw="{\"a\": \"caf\xe9\"}"`}},
		{"ndjson broken object", "{\"a\": 1\n{\"a\": 2}\n", Options{}, []string{
			`reject: in:1: invalid JSON: unexpected end of JSON input raw="{\"a\": 1"`, `in:2 {a="2"} raw="{\"a\": 2}"`}},
		{"json array", " [ {\"amount\": 1200.50, \"won\": false},\n 7, {\"amount\": \"1e3\"} ] \n", Options{}, []string{
			`in: element 1 {amount="1200.50" won="false"} raw="{\"amount\": 1200.50, \"won\": false}"`,
			`reject: in: element 2: want a JSON object, got a number raw="7"`,
			`in: element 3 {amount="1e3"} raw="{\"amount\": \"1e3\"}"`}},
		{"json empty array", "[]", Options{}, nil},
		{"json syntax error is fatal", "[{\"a\": 1}, {\"a\": }]", Options{}, []string{`in: element 1 {a="1"} raw="{\"a\": 1}"`,
			"fatal: in: element 2: invalid JSON: invalid character '}' looking for beginning of value"}},
		{"json trailing data", "[{\"a\": 1}] x", Options{}, []string{`in: element 1 {a="1"} raw="{\"a\": 1}"`,
			"fatal: in: unexpected data after the closing ] of the array"}},
		{"json unterminated array", "[{\"a\": 1}", Options{}, []string{`in: element 1 {a="1"} raw="{\"a\": 1}"`,
			"fatal: in: after element 1: invalid JSON: EOF"}},
		{"json element too large", "[{\"a\": \"" + strings.Repeat("x", 300000) + "\"}]", Options{MaxRecordBytes: 1000},
			[]string{"fatal: in: element 1: element longer than 1000 bytes"}},
		{"forced csv on json", "{\"a\": 1}\n{\"a\": 2}\n", Options{Format: FormatCSV}, []string{`in:2 {{"a": 1}="{\"a\": 2}"} raw="{\"a\": 2}"`}},
		{"forced ndjson", "\n{\"a\": 1}\n", Options{Format: FormatNDJSON}, []string{`in:2 {a="1"} raw="{\"a\": 1}"`}},
		{"forced json on csv", "a,b\n", Options{Format: FormatJSON}, []string{"open: in: not a JSON array: invalid character 'a' looking for beginning of value"}},
		{"unknown format", "a\n", Options{Format: "xml"}, []string{`open: in: format "xml": want auto, csv, ndjson or json`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, []byte(tt.input), tt.opts)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReaderGzip(t *testing.T) {
	tests := []struct {
		name, input string
		format      Format
	}{
		{"csv", "\ufeffa;b\r\n1;2\r\n", FormatCSV},
		{"ndjson", "{\"a\": \"1\", \"b\": \"2\"}\n", FormatNDJSON},
		{"json", "[{\"a\": \"1\", \"b\": \"2\"}]", FormatJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewReader(bytes.NewReader(gzipped(t, tt.input)), "in.gz", Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			if rd.Format() != tt.format {
				t.Errorf("format = %s, want %s", rd.Format(), tt.format)
			}
			rec, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.Fields(); got["a"] != "1" || got["b"] != "2" {
				t.Errorf("fields = %v", got)
			}
			if _, err := rd.Next(); err != io.EOF {
				t.Errorf("second Next = %v, want io.EOF", err)
			}
		})
	}
	if _, err := NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 0, 0}), "bad.gz", Options{}); err == nil ||
		!strings.HasPrefix(err.Error(), "bad.gz: gzip: ") {
		t.Errorf("corrupt gzip: error = %v", err)
	}
}

func TestReaderFatalErrorIsSticky(t *testing.T) {
	rd, err := NewReader(strings.NewReader("[{\"a\": }]"), "in", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, first := rd.Next()
	_, second := rd.Next()
	if first == nil || first != second {
		t.Errorf("errors = %v then %v, want the same fatal error twice", first, second)
	}
}

func TestReaderHeader(t *testing.T) {
	rd, err := NewReader(strings.NewReader("Id,Amount,id\n1,2,3\n"), "in", Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := rd.Header()
	if !slices.Equal(h.Names(), []string{"id", "amount", "id"}) || !slices.Equal(h.Labels(), []string{"Id", "Amount", "id"}) {
		t.Errorf("names %v labels %v", h.Names(), h.Labels())
	}
	if h.Index("id") != 0 || h.Index("Amount") != -1 || !h.Doubled("id") || h.Doubled("amount") {
		t.Errorf("index or doubled wrong: %d %d %v %v", h.Index("id"), h.Index("Amount"), h.Doubled("id"), h.Doubled("amount"))
	}
	rec, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Fields(); got["id"] != "1" || len(got) != 2 {
		t.Errorf("Fields() = %v, want the first id to win", got)
	}
	if v, ok := rec.Get("nope"); ok || v != "" {
		t.Errorf(`Get("nope") = %q, %v`, v, ok)
	}
	json, err := NewReader(strings.NewReader("[]"), "in", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if json.Header() != nil {
		t.Error("a JSON reader should have no fixed header")
	}
}

func TestRecordClone(t *testing.T) {
	rd, err := NewReader(strings.NewReader("{\"a\": \"1\"}\n{\"a\": \"2\", \"b\": \"x\"}\n"), "in", Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	kept := first.Clone()
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	if v, _ := kept.Get("a"); v != "1" {
		t.Errorf("clone changed: a = %q", v)
	}
	if _, ok := kept.Get("b"); ok {
		t.Error("clone gained field b from a later record")
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
	}{{"", FormatAuto}, {"AUTO", FormatAuto}, {"csv", FormatCSV}, {"tsv", FormatCSV}, {"jsonl", FormatNDJSON}, {"ndjson", FormatNDJSON}, {"json", FormatJSON}}
	for _, tt := range tests {
		if got, err := ParseFormat(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v", tt.in, got, err)
		}
	}
	if _, err := ParseFormat("xlsx"); err == nil || err.Error() != `format "xlsx": want auto, csv, ndjson or json` {
		t.Errorf("ParseFormat(xlsx) error = %v", err)
	}
}
