package ingest

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// readHeader reads the first non-blank record as the header, detecting the delimiter from it.
func (r *Reader) readHeader() error {
	for {
		line, _, err := r.readLine()
		if err == io.EOF {
			return fmt.Errorf("empty file: no header line")
		}
		if err != nil {
			return err
		}
		r.line++
		if isBlank(line) {
			continue
		}
		r.delim = detectDelimiter(line)
		if !utf8.Valid(line) {
			return fmt.Errorf("line %d: header is not valid UTF-8; save the file as UTF-8", r.line)
		}
		fields, err := r.finishRecord(line, true, r.line, true)
		if err != nil {
			return err
		}
		r.header = NewHeader(fields)
		r.rec.header = r.header
		return nil
	}
}

// detectDelimiter picks ',', ';' or tab, whichever occurs most outside quotes; ',' wins ties.
func detectDelimiter(line []byte) byte {
	var counts [3]int
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			counts[0]++
		case c == ';':
			counts[1]++
		case c == '\t':
			counts[2]++
		}
	}
	best := 0
	for i := 1; i < 3; i++ {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return ",;\t"[best]
}

func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\r' {
			return false
		}
	}
	return true
}

// nextCSV returns the next non-blank record.
func (r *Reader) nextCSV() (*Record, error) {
	for {
		line, term, err := r.readLine()
		if err != nil {
			return nil, err
		}
		r.line++
		if isBlank(line) {
			continue
		}
		start := r.line
		fields, err := r.finishRecord(line, term, start, false)
		if err != nil {
			return nil, err
		}
		if allEmpty(fields) {
			continue
		}
		r.rec.values = fields
		r.rec.Line = start
		if len(fields) != r.header.Len() {
			return nil, r.rowError(start, r.rec.Raw, r.countProblem(len(fields)))
		}
		return &r.rec, nil
	}
}

// finishRecord reads the rest of a record that starts with line and splits it into fields.
func (r *Reader) finishRecord(line []byte, term bool, start int, header bool) ([]string, error) {
	if bytes.IndexByte(line, '"') < 0 {
		line = trimCR(line)
		if err := r.checkLine(line, term, start, header); err != nil {
			return nil, err
		}
		r.rec.Raw = string(line)
		return splitPlain(r.rec.Raw, r.delim, r.rec.values[:0]), nil
	}
	raw, err := r.gatherQuoted(line, term, start, header)
	if err != nil {
		return nil, err
	}
	r.rec.Raw = raw
	fields, bad := splitQuoted(raw, r.delim, r.rec.values[:0])
	if bad >= 0 {
		return nil, r.rowError(start, raw, r.fieldName(bad, header)+": text after a closing quote "+
			"(write a quote inside a quoted value as \"\")")
	}
	return fields, nil
}

// checkLine rejects a last line without a line break, which may be truncated, and invalid UTF-8.
func (r *Reader) checkLine(line []byte, term bool, start int, header bool) error {
	if !term && !header && !r.opts.AcceptMissingFinalNewline {
		r.err = io.EOF
		return r.rowError(start, string(line), "last line has no line break: the file may be truncated "+
			"(add a final line break if the row is complete)")
	}
	if !utf8.Valid(line) {
		return r.rowError(start, string(line), "not valid UTF-8: save the file as UTF-8 "+
			"(it looks like Windows-1252 or Latin-1)")
	}
	return nil
}

// gatherQuoted collects the physical lines of a record whose quoted fields hold line breaks.
func (r *Reader) gatherQuoted(line []byte, term bool, start int, header bool) (string, error) {
	r.buf = r.buf[:0]
	st := stFieldStart
	for {
		body := trimCR(line)
		st = st.scan(body, r.delim)
		if st != stQuoted {
			r.buf = append(r.buf, body...)
			if err := r.checkLine(r.buf, term, start, header); err != nil {
				return "", err
			}
			return string(r.buf), nil
		}
		r.buf = append(r.buf, line...)
		if !term {
			return "", r.unclosed(start)
		}
		r.buf = append(r.buf, '\n')
		var err error
		if line, term, err = r.readLine(); err == io.EOF {
			return "", r.unclosed(start)
		} else if err != nil {
			return "", err
		}
		r.line++
		if len(r.buf)+len(line) > r.opts.MaxRecordBytes {
			return "", r.tooLong(start)
		}
	}
}

// fieldName names field i for an error: its header label, or its number in the header itself.
func (r *Reader) fieldName(i int, header bool) string {
	if header || i >= r.header.Len() {
		return "field " + strconv.Itoa(i+1)
	}
	return "column " + r.header.Label(i)
}

func (r *Reader) unclosed(start int) error {
	r.err = io.EOF
	raw := strings.TrimSuffix(string(r.buf), "\n")
	return r.rowError(start, raw, "quoted field never closed before the end of the file: the file may be truncated, or a value has a stray \"")
}

func (r *Reader) countProblem(n int) string {
	msg := "row has " + strconv.Itoa(n) + " fields, header has " + strconv.Itoa(r.header.Len())
	if n > r.header.Len() {
		msg += " (is there an unquoted " + delimiterName(r.delim) + " inside a value?)"
	}
	return msg
}

func delimiterName(d byte) string {
	if d == '\t' {
		return "tab"
	}
	return string(d)
}

func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

func allEmpty(fields []string) bool {
	for _, f := range fields {
		if trimSpace(f) != "" {
			return false
		}
	}
	return true
}

// splitPlain splits a line without quotes; the fields share the line's memory.
func splitPlain(s string, delim byte, dst []string) []string {
	for {
		i := strings.IndexByte(s, delim)
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
}

// scanState tracks quoting while a record's lines are gathered; it mirrors splitQuoted.
type scanState uint8

const (
	stFieldStart scanState = iota // at the start of a field, possibly after spaces
	stUnquoted                    // inside an unquoted field (a '"' here is kept literally)
	stQuoted                      // inside a quoted field
	stQuoteSeen                   // a '"' inside a quoted field: closes it or starts a "" escape
)

func (st scanState) scan(line []byte, delim byte) scanState {
	for _, c := range line {
		switch st {
		case stFieldStart:
			switch {
			case c == '"':
				st = stQuoted
			case c == delim:
			case c != ' ':
				st = stUnquoted
			}
		case stUnquoted:
			if c == delim {
				st = stFieldStart
			}
		case stQuoted:
			if c == '"' {
				st = stQuoteSeen
			}
		case stQuoteSeen:
			switch c {
			case '"':
				st = stQuoted
			case delim:
				st = stFieldStart
			default:
				st = stUnquoted
			}
		}
	}
	return st
}

// splitQuoted splits a complete record with RFC 4180 quoting: "" is a quote, spaces around a
// quoted field are dropped, a '"' inside an unquoted field is kept, and CRLF in a field becomes LF.
// It returns the index of a field with text after its closing quote, or -1.
func splitQuoted(s string, delim byte, dst []string) ([]string, int) {
	i := 0
	for {
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j == len(s) || s[j] != '"' {
			k := strings.IndexByte(s[i:], delim)
			if k < 0 {
				return append(dst, s[i:]), -1
			}
			dst = append(dst, s[i:i+k])
			i += k + 1
			continue
		}
		val, next := unquote(s, j+1)
		for next < len(s) && s[next] == ' ' {
			next++
		}
		dst = append(dst, val)
		if next == len(s) {
			return dst, -1
		}
		if s[next] != delim {
			return dst, len(dst) - 1
		}
		i = next + 1
	}
}

// unquote reads a quoted field whose opening quote ends at s[start-1]; it returns the value and
// the index after the closing quote. The record is complete, so an unclosed quote runs to the end.
func unquote(s string, start int) (string, int) {
	end := start
	simple := true
	for end < len(s) {
		if s[end] == '"' {
			if end+1 < len(s) && s[end+1] == '"' {
				simple = false
				end += 2
				continue
			}
			break
		}
		if s[end] == '\r' {
			simple = false
		}
		end++
	}
	val := s[start:end]
	if !simple {
		val = strings.ReplaceAll(strings.ReplaceAll(val, `""`, `"`), "\r\n", "\n")
	}
	return val, min(end+1, len(s))
}
