package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxRecordBytes bounds one record (a CSV row with its quoted line breaks, or one JSON object).
const DefaultMaxRecordBytes = 1 << 20

const bufferSize = 64 << 10

// Options tune a Reader; the zero value auto-detects the format and bounds records to 1 MiB.
type Options struct {
	Format Format
	// MaxRecordBytes bounds the memory one record may take; 0 means DefaultMaxRecordBytes.
	MaxRecordBytes int
	// AcceptMissingFinalNewline accepts a last CSV line without a line break instead of
	// rejecting it as possibly truncated (some spreadsheet tools write files that way).
	AcceptMissingFinalNewline bool
	// MaxBytes bounds the bytes read once decompressed, so a small gzip body cannot inflate
	// without end; past it reading fails with a *TooLargeError. 0 means no bound.
	MaxBytes int64
}

// TooLargeError reports an input longer than Options.MaxBytes once decompressed.
type TooLargeError struct {
	// Limit is the bound in bytes.
	Limit int64
}

// Error names the bound.
func (e *TooLargeError) Error() string {
	return "input larger than " + thousands(int(e.Limit)) + " bytes once decompressed; split the load"
}

// sizeLimit fails with a *TooLargeError once more than left bytes have been read.
type sizeLimit struct {
	r     io.Reader
	left  int64
	limit int64
}

// Read passes reads through until the bound is passed.
func (s *sizeLimit) Read(p []byte) (int, error) {
	if s.left < 0 {
		return 0, &TooLargeError{Limit: s.limit}
	}
	if int64(len(p)) > s.left+1 {
		p = p[:s.left+1]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	if s.left < 0 {
		return n, &TooLargeError{Limit: s.limit}
	}
	return n, err
}

// Source is a stream of records: a Reader, or a MappedReader that renames a Reader's fields.
type Source interface {
	// Name returns the source's name as errors show it, such as a file name.
	Name() string
	// Header returns the fixed header, or nil when each record brings its own fields (JSON).
	Header() *Header
	// Next returns the next record, io.EOF at the end, a *RowError for a rejected record
	// (call Next again), or another error that ends the stream.
	Next() (*Record, error)
}

// Reader streams records from a CSV, NDJSON or JSON-array input, gzip-compressed or not, in bounded memory.
type Reader struct {
	name    string
	opts    Options
	format  Format
	gz      *gzip.Reader
	br      *bufio.Reader
	header  *Header
	rec     Record
	err     error // sticky: io.EOF or a fatal error
	line    int   // physical lines consumed
	delim   byte
	long    []byte // a physical line longer than the buffer
	buf     []byte // a CSV record spanning lines
	dec     *json.Decoder
	counter *countingReader
	obj     map[string]json.RawMessage
}

var _ Source = (*Reader)(nil)

// NewReader starts reading r, named name in errors; it detects gzip, strips a UTF-8 BOM,
// detects the format when opts.Format is auto, and reads a CSV header.
func NewReader(r io.Reader, name string, opts Options) (*Reader, error) {
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = DefaultMaxRecordBytes
	}
	format, err := ParseFormat(string(opts.Format))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	opts.Format = format
	rd := &Reader{name: name, opts: opts, br: bufio.NewReaderSize(r, bufferSize)}
	if err := rd.open(); err != nil {
		rd.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rd, nil
}

func (r *Reader) open() error {
	if err := r.gunzip(); err != nil {
		return err
	}
	if err := r.skipBOM(); err != nil {
		return err
	}
	format, err := r.detect()
	if err != nil {
		return err
	}
	r.format = format
	r.rec.Position = Position{Source: r.name, Format: format}
	switch format {
	case FormatCSV:
		return r.readHeader()
	case FormatJSON:
		return r.startArray()
	case FormatNDJSON:
		r.header = NewHeader(nil)
	}
	return nil
}

// gunzip decompresses a gzip input and bounds what is read to opts.MaxBytes.
func (r *Reader) gunzip() error {
	var plain io.Reader = r.br
	if magic, _ := r.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(r.br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		r.gz, plain = gz, gz
	}
	if r.opts.MaxBytes > 0 {
		plain = &sizeLimit{r: plain, left: r.opts.MaxBytes, limit: r.opts.MaxBytes}
	}
	if plain != io.Reader(r.br) {
		r.br = bufio.NewReaderSize(plain, bufferSize)
	}
	return nil
}

func (r *Reader) skipBOM() error {
	head, _ := r.br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		_, err := r.br.Discard(3)
		return err
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return errors.New("file is UTF-16 encoded; save it as UTF-8 (in Excel: CSV UTF-8)")
	}
	return nil
}

// detect picks the format: '[' starts a JSON array, '{' NDJSON, anything else CSV.
func (r *Reader) detect() (Format, error) {
	if r.opts.Format != FormatAuto {
		return r.opts.Format, nil // NewReader normalised it
	}
	for n := 1; n <= bufferSize; n++ {
		b, err := r.br.Peek(n)
		if len(b) < n {
			if err != nil && err != io.EOF {
				return "", fmt.Errorf("read: %w", err)
			}
			return FormatCSV, nil
		}
		switch b[n-1] {
		case ' ', '\t', '\r', '\n':
			continue
		case '[':
			return FormatJSON, nil
		case '{':
			return FormatNDJSON, nil
		}
		return FormatCSV, nil
	}
	return FormatCSV, nil
}

// Name returns the name given to NewReader.
func (r *Reader) Name() string { return r.name }

// Format returns the detected or requested format.
func (r *Reader) Format() Format { return r.format }

// Header returns the CSV header, or nil for JSON formats whose fields come with each object.
func (r *Reader) Header() *Header {
	if r.format == FormatCSV {
		return r.header
	}
	return nil
}

// Next returns the next record, which is valid until the following call.
//
// It returns io.EOF at the end; a *RowError rejects one record and reading may go on;
// any other error ends the stream and is returned again by later calls.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	var rec *Record
	var err error
	switch r.format {
	case FormatCSV:
		rec, err = r.nextCSV()
	case FormatNDJSON:
		rec, err = r.nextNDJSON()
	default:
		rec, err = r.nextElement()
	}
	if _, isRow := err.(*RowError); err != nil && !isRow {
		r.err = err
	}
	return rec, err
}

// Close releases the gzip decompressor, if any; it does not close the underlying reader.
func (r *Reader) Close() error {
	if r.gz != nil {
		return r.gz.Close()
	}
	return nil
}

// readLine returns the next physical line without its '\n' and whether it had one; the
// slice is valid until the next read. A line longer than the record bound is an error.
func (r *Reader) readLine() ([]byte, bool, error) {
	line, err := r.br.ReadSlice('\n')
	if err == nil {
		return line[:len(line)-1], true, nil
	}
	if err == bufio.ErrBufferFull {
		line, err = r.readLongLine(line)
		if err == errLineTooLong {
			return nil, false, r.tooLong(r.line + 1)
		}
		if err == nil {
			return line[:len(line)-1], true, nil
		}
	}
	if err == io.EOF && len(line) > 0 {
		return line, false, nil
	}
	if err == io.EOF {
		return nil, false, io.EOF
	}
	return nil, false, fmt.Errorf("%s: line %d: %w", r.name, r.line+1, err)
}

func (r *Reader) readLongLine(first []byte) ([]byte, error) {
	r.long = append(r.long[:0], first...)
	for {
		if len(r.long) > r.opts.MaxRecordBytes {
			return nil, errLineTooLong
		}
		more, err := r.br.ReadSlice('\n')
		r.long = append(r.long, more...)
		if err != bufio.ErrBufferFull {
			return r.long, err
		}
	}
}

func (r *Reader) tooLong(line int) error {
	return fmt.Errorf("%s:%d: record longer than %d bytes (an unclosed quote, or not a text file?)",
		r.name, line, r.opts.MaxRecordBytes)
}

func (r *Reader) rowError(line int, raw, reason string) *RowError {
	return &RowError{Position: Position{Source: r.name, Line: line, Format: r.format}, Raw: raw, Reason: reason}
}

// countingReader counts the bytes read since the last reset and fails past a limit.
type countingReader struct {
	r     io.Reader
	n     int
	limit int
}

var (
	errElementTooLarge = errors.New("element too large")
	errLineTooLong     = errors.New("line too long")
)

// Read passes reads through, failing once the bytes since the last reset pass the limit.
func (c *countingReader) Read(p []byte) (int, error) {
	if c.n > c.limit {
		return 0, errElementTooLarge
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
