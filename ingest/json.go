package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxJSONFields bounds how many distinct keys a JSON source may bring, keeping the header small.
const maxJSONFields = 10_000

// nextNDJSON returns the object on the next non-blank line.
func (r *Reader) nextNDJSON() (*Record, error) {
	for {
		line, _, err := r.readLine()
		if err != nil {
			return nil, err
		}
		r.line++
		body := bytes.TrimSpace(line)
		if len(body) == 0 {
			continue
		}
		r.rec.Raw = string(trimCR(line))
		r.rec.Line = r.line
		if err := r.fillObject(body, false); err != nil {
			return nil, err
		}
		return &r.rec, nil
	}
}

// startArray consumes the opening '[' of a JSON array.
func (r *Reader) startArray() error {
	r.header = NewHeader(nil)
	r.counter = &countingReader{r: r.br, limit: 2*r.opts.MaxRecordBytes + bufferSize}
	r.dec = json.NewDecoder(r.counter)
	tok, err := r.dec.Token()
	if err != nil {
		return fmt.Errorf("not a JSON array: %w", err)
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("not a JSON array: starts with %v", tok)
	}
	return nil
}

// nextElement decodes the next element of the array, one at a time.
func (r *Reader) nextElement() (*Record, error) {
	if !r.dec.More() {
		return nil, r.endArray()
	}
	r.rec.Line++
	r.counter.n = 0
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		if errors.Is(err, errElementTooLarge) {
			return nil, fmt.Errorf("%s: element longer than %d bytes", r.rec.Position, r.opts.MaxRecordBytes)
		}
		return nil, fmt.Errorf("%s: invalid JSON: %w", r.rec.Position, err)
	}
	r.rec.Raw = string(raw)
	if err := r.fillObject(raw, true); err != nil { // the decoder has checked the syntax
		return nil, err
	}
	return &r.rec, nil
}

// endArray consumes the closing ']' and rejects anything but space after it.
func (r *Reader) endArray() error {
	if _, err := r.dec.Token(); err != nil {
		return fmt.Errorf("%s: after element %d: invalid JSON: %w", r.name, r.rec.Line, err)
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: unexpected data after the closing ] of the array", r.name)
	}
	return io.EOF
}

// fillObject sets the record's values from one JSON object; anything else rejects the record.
// Flat objects, the common case, are read without allocating; others go through encoding/json.
// valid says the syntax was already checked (a JSON-array element the decoder returned).
func (r *Reader) fillObject(body []byte, valid bool) error {
	if body[0] != '{' {
		if !valid && !json.Valid(body) {
			return r.rowError(r.rec.Line, r.rec.Raw, "invalid JSON: want an object starting with {")
		}
		return r.rowError(r.rec.Line, r.rec.Raw, "want a JSON object, got "+jsonKind(body[0]))
	}
	if !utf8.Valid(body) {
		return r.rowError(r.rec.Line, r.rec.Raw, "not valid UTF-8: save the file as UTF-8")
	}
	if !valid && !json.Valid(body) {
		var probe map[string]json.RawMessage
		err := json.Unmarshal(body, &probe)
		return r.rowError(r.rec.Line, r.rec.Raw, "invalid JSON: "+err.Error())
	}
	r.rec.header = r.header
	if r.fillFlat(strings.TrimSpace(r.rec.Raw)) { // trimmed as body was
		return nil
	}
	return r.fillNested(body)
}

// fillFlat reads a valid JSON object whose values are all scalars and whose keys have no
// escapes, taking values as substrings of the raw text; it reports false for anything else.
func (r *Reader) fillFlat(s string) bool {
	r.reset()
	i := 1
	for {
		i = skipSpace(s, i)
		if s[i] == '}' {
			return true
		}
		if s[i] == ',' {
			i = skipSpace(s, i+1)
		}
		end := strings.IndexByte(s[i+1:], '"') + i + 1
		key := s[i+1 : end]
		if strings.IndexByte(key, '\\') >= 0 {
			return false
		}
		i = skipSpace(s, skipSpace(s, end+1)+1) // past the ':'
		val, next, ok := flatValue(s, i)
		if !ok {
			return false
		}
		if err := r.set(key, val); err != nil {
			return false
		}
		i = next
	}
}

// flatValue reads the scalar at s[i] of a valid JSON text and returns it as a field value and
// the index after it; objects and arrays report false.
func flatValue(s string, i int) (string, int, bool) {
	switch s[i] {
	case '{', '[':
		return "", i, false
	case '"':
		j, escaped := i+1, false
		for s[j] != '"' {
			if s[j] == '\\' {
				escaped = true
				j++
			}
			j++
		}
		if !escaped {
			return s[i+1 : j], j + 1, true
		}
		var v string
		err := json.Unmarshal([]byte(s[i:j+1]), &v)
		return v, j + 1, err == nil
	case 'n':
		return "", i + 4, true
	}
	j := i
	for j < len(s) && !isSpace(s[j]) && s[j] != ',' && s[j] != '}' {
		j++
	}
	return s[i:j], j, true
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// fillNested reads an object with nested values through encoding/json.
func (r *Reader) fillNested(body []byte) error {
	clear(r.obj)
	if r.obj == nil {
		r.obj = map[string]json.RawMessage{}
	}
	if err := json.Unmarshal(body, &r.obj); err != nil {
		return r.rowError(r.rec.Line, r.rec.Raw, "invalid JSON: "+err.Error())
	}
	if err := r.learnKeys(); err != nil {
		return err
	}
	r.reset()
	for key, val := range r.obj {
		text, err := jsonText(val)
		if err != nil {
			return r.rowError(r.rec.Line, r.rec.Raw, "key "+strconv.Quote(key)+": "+err.Error())
		}
		if err := r.set(key, text); err != nil {
			return err
		}
	}
	return nil
}

// set stores a value under a JSON key, growing the header when the key is new.
func (r *Reader) set(key, val string) error {
	i := r.header.lookupOrAdd(key)
	if r.header.Len() > maxJSONFields {
		return fmt.Errorf("%s: more than %d distinct keys", r.rec.Position, maxJSONFields)
	}
	r.grow()
	r.rec.values[i], r.rec.present[i] = val, true
	return nil
}

// learnKeys adds the object's new keys to the header in sorted order, so that the header
// does not depend on map iteration order.
func (r *Reader) learnKeys() error {
	var fresh []string
	for key := range r.obj {
		if _, ok := r.header.aliases[key]; !ok {
			fresh = append(fresh, key)
		}
	}
	slices.Sort(fresh)
	for _, key := range fresh {
		r.header.lookupOrAdd(key)
	}
	if r.header.Len() > maxJSONFields {
		return fmt.Errorf("%s: more than %d distinct keys", r.rec.Position, maxJSONFields)
	}
	return nil
}

// reset sizes the value slices to the header and marks every value absent.
func (r *Reader) reset() {
	for i := range r.rec.values {
		r.rec.values[i], r.rec.present[i] = "", false
	}
	r.grow()
}

// grow adds absent values for keys the header learnt since the last record.
func (r *Reader) grow() {
	for len(r.rec.values) < r.header.Len() {
		r.rec.values = append(r.rec.values, "")
		r.rec.present = append(r.rec.present, false)
	}
}

// jsonText turns a JSON value into a field value: strings unquoted, numbers and booleans as
// written, null as the empty string, objects and arrays as compact JSON.
func jsonText(raw json.RawMessage) (string, error) {
	switch raw[0] {
	case '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			return string(raw[1 : len(raw)-1]), nil
		}
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case '{', '[':
		var b bytes.Buffer
		err := json.Compact(&b, raw)
		return b.String(), err
	}
	return string(raw), nil
}

func jsonKind(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
