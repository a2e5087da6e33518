package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
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
		if err := r.fillObject(body); err != nil {
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
	if err := r.fillObject(raw); err != nil {
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
func (r *Reader) fillObject(body []byte) error {
	if body[0] != '{' {
		if !json.Valid(body) {
			return r.rowError(r.rec.Line, r.rec.Raw, "invalid JSON: want an object starting with {")
		}
		return r.rowError(r.rec.Line, r.rec.Raw, "want a JSON object, got "+jsonKind(body[0]))
	}
	clear(r.obj)
	if r.obj == nil {
		r.obj = map[string]json.RawMessage{}
	}
	if err := json.Unmarshal(body, &r.obj); err != nil {
		return r.rowError(r.rec.Line, r.rec.Raw, "invalid JSON: "+err.Error())
	}
	r.rec.header = r.header
	if err := r.learnKeys(); err != nil {
		return err
	}
	r.reset()
	for key, val := range r.obj {
		i := r.header.lookupOrAdd(key)
		text, err := jsonText(val)
		if err != nil {
			return r.rowError(r.rec.Line, r.rec.Raw, "key "+strconv.Quote(key)+": "+err.Error())
		}
		r.rec.values[i], r.rec.present[i] = text, true
	}
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
	for len(r.rec.values) < r.header.Len() {
		r.rec.values = append(r.rec.values, "")
		r.rec.present = append(r.rec.present, false)
	}
	for i := range r.rec.values {
		r.rec.values[i], r.rec.present[i] = "", false
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
