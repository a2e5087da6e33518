package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
)

// Job says what to load and how strictly.
type Job struct {
	// Firm receives the rows.
	Firm string
	// Kind is what every input holds.
	Kind Kind
	// Mapping names a built-in mapping ("salesforce", "hubspot-deals") or a YAML file; empty means canonical columns.
	Mapping string
	// Constants set fields to one value on every row, over what the mapping (or the canonical file) gives.
	Constants []Constant
	// Format is the input format; auto-detected when empty.
	Format Format
	// Location reads naive times; nil means UTC.
	Location *time.Location
	// SkipInvalid loads the valid rows and sends invalid ones to Rejects; otherwise one invalid row stops the load.
	SkipInvalid bool
	// Rejects receives each invalid row as a JSON line {source, line, reason, raw}.
	Rejects io.Writer
	// MaxErrors bounds the errors a strict load reports (DefaultMaxErrors when 0).
	MaxErrors int
	// Backoff governs retries of storage writes; the zero value means DefaultBackoff.
	Backoff Backoff
	// MaxBytes bounds each input's bytes once decompressed (Options.MaxBytes); 0 means no bound.
	MaxBytes int64
	// Progress, when set, is called about every 250 ms while reading.
	Progress func(Progress)
	// Now is the clock for timings; nil means time.Now.
	Now func() time.Time
	// Logger receives the timings of the load's phases at debug level; nil discards them.
	Logger *slog.Logger
}

// Input is one named stream of records.
type Input struct {
	// Name is what errors call the input, such as the file name.
	Name string
	// R is the data, possibly gzip-compressed.
	R io.Reader
	// Size is the byte size when known (for progress), else 0.
	Size int64
}

// Progress is how far a load has come.
type Progress struct {
	// Rows read so far, valid or not.
	Rows int64
	// Bytes read so far, and the total when known.
	Bytes, TotalBytes int64
	// Elapsed is the time since the start.
	Elapsed time.Duration
}

// Result says what a load did.
type Result struct {
	// Read counts records read; Loaded those that were new; Rejected the invalid ones;
	// Duplicates the valid ones already stored or repeated in the input.
	Read, Loaded, Rejected, Duplicates int64
	// UnknownRepRows and UnknownReps count rows whose rep no reps file named.
	UnknownRepRows, UnknownReps int64
	// Skipped counts records a mapping's keep_when rule left out; they are neither read nor rejected.
	Skipped int64
	// Inferred counts the deal versions the store inferred for deals known by one row (see
	// salesrecipe.UnknownStage); NoCreated the deals without created_at, which took their first known
	// time; Superseded the deals whose inferred versions recorded ones replaced.
	Inferred, NoCreated, Superseded int64
	// Elapsed is the whole load's time.
	Elapsed time.Duration
}

// ErrInvalid marks a strict load stopped by invalid rows; nothing was written.
var ErrInvalid = errors.New("invalid rows; nothing was loaded")

// StoreError is a storage failure that outlasted the retries.
type StoreError struct {
	// Committing is true when the failure came while moving staged rows into
	// place, so part of them may already be stored.
	Committing bool
	// Err is the last failure.
	Err error
}

// Error says what happened and that re-running is safe.
func (e *StoreError) Error() string {
	if e.Committing {
		return fmt.Sprintf("storage failed while storing the rows; readers see the store as before the load, or, "+
			"when it failed between swapping months in, the next load or start finishes it (see `salesrecipe status`); "+
			"re-running the same load is safe: rows already stored are recognised and not counted twice: %v", e.Err)
	}
	if DataError(e.Err) {
		return fmt.Sprintf("storage refused a value before anything was stored; fix the input and load again: %v", e.Err)
	}
	return fmt.Sprintf("storage failed before anything was stored; re-running the same load is safe: %v", e.Err)
}

// Unwrap returns the storage error.
func (e *StoreError) Unwrap() error { return e.Err }

// Run loads every input into the store as one all-or-nothing load.
func Run(ctx context.Context, st *queries.Store, job Job, inputs []Input) (Result, error) {
	r := &runner{job: job, st: st, errs: NewCollector(job.MaxErrors)}
	if r.job.Backoff.Attempts == 0 {
		r.job.Backoff = DefaultBackoff()
	}
	if r.job.Now == nil {
		r.job.Now = time.Now
	}
	if r.job.Location == nil {
		r.job.Location = time.UTC
	}
	if r.job.Logger == nil {
		r.job.Logger = slog.New(slog.DiscardHandler)
	}
	return r.run(ctx, inputs)
}

// runner is the state of one Run.
type runner struct {
	job    Job
	st     *queries.Store
	load   *queries.Load
	errs   *Collector
	res    Result
	start  time.Time
	bytes  atomic.Int64
	total  int64
	lastPr time.Time
	seen   int64
	// fileMap is the job's mapping file, parsed on first use; nil when the job names a built-in.
	fileMap *Mapping
	// fileRead says the job's mapping was already looked for as a file.
	fileRead bool
	// inputs are the positions of the inputs read so far, by index, for errors about staged rows.
	inputs []*Position
}

// run stages every input, then commits or aborts.
func (r *runner) run(ctx context.Context, inputs []Input) (Result, error) {
	r.start = r.job.Now()
	for _, in := range inputs {
		r.total += in.Size
	}
	err := r.job.Backoff.do(ctx, func() error {
		var err error
		r.load, err = r.st.BeginLoad(ctx, queries.Kind(r.job.Kind), r.job.Firm)
		return err
	})
	if err != nil {
		return r.res, &StoreError{Err: err}
	}
	if err := r.stageAll(ctx, inputs); err != nil {
		r.abort()
		return r.finish(), err
	}
	r.job.Logger.DebugContext(ctx, "ingest staged", "kind", r.job.Kind, "rows", r.res.Read, "seconds", r.job.Now().Sub(r.start).Seconds())
	res, err := r.commit(ctx)
	r.job.Logger.DebugContext(ctx, "ingest committed", "kind", r.job.Kind, "loaded", res.Loaded, "seconds", res.Elapsed.Seconds())
	return res, err
}

// stageAll reads every input into the staging table.
func (r *runner) stageAll(ctx context.Context, inputs []Input) error {
	for _, in := range inputs {
		if err := r.stage(ctx, in); err != nil {
			return err
		}
	}
	if r.errs.Len() > 0 && !r.job.SkipInvalid {
		return fmt.Errorf("%w:\n%w", ErrInvalid, r.errs.Err())
	}
	return r.flush(ctx)
}

// stage reads one input through its mapping and converter.
func (r *runner) stage(ctx context.Context, in Input) error {
	src0, err := r.source(in)
	if err != nil {
		return err
	}
	src := r.positioned(src0)
	var st Stats
	switch r.job.Kind {
	case KindReps:
		st, err = Load(ctx, src, NewRepConverter(), accept(ctx, r, r.load.AddRep), r.reject)
	case KindQuotas:
		st, err = Load(ctx, src, NewQuotaConverter(r.job.Location), accept(ctx, r, r.load.AddQuota), r.reject)
	case KindStages:
		st, err = Load(ctx, src, NewStageConverter(), accept(ctx, r, r.load.AddStage), r.reject)
	case KindActivities:
		st, err = Load(ctx, src, NewActivityConverter(r.job.Location), accept(ctx, r, r.load.AddActivity), r.reject)
	case KindDeals:
		st, err = Load(ctx, src, NewDealConverter(r.job.Location), accept(ctx, r, r.load.AddDeal), r.reject)
	default:
		return fmt.Errorf("kind %q: want reps, quotas, stages, activities or deals", r.job.Kind)
	}
	r.res.Read += int64(st.Records)
	r.res.Rejected += int64(st.Rejected)
	if mr, ok := src0.(*MappedReader); ok {
		r.res.Skipped += int64(mr.Skipped())
	}
	return err
}

// source opens an input's reader and, with a mapping, binds it.
func (r *runner) source(in Input) (Source, error) {
	rd, err := NewReader(&byteCounter{r: in.R, n: &r.bytes}, in.Name, Options{Format: r.job.Format, MaxBytes: r.job.MaxBytes})
	if err != nil {
		return nil, err
	}
	if r.job.Mapping == "" && len(r.job.Constants) == 0 {
		return rd, nil
	}
	m := CanonicalMapping(r.job.Kind)
	if r.job.Mapping != "" {
		if m, err = r.mapping(rd.Header()); err != nil {
			return nil, err
		}
	}
	if m, err = m.WithConstants(r.job.Constants); err != nil {
		return nil, err
	}
	return m.Bind(rd, r.job.Location)
}

// mapping resolves the job's mapping: a file when one exists by that name, else a built-in.
// A file is parsed once per Run; a built-in is looked up per input, as its header picks the vendor's mapping.
func (r *runner) mapping(h *Header) (*Mapping, error) {
	if !r.fileRead {
		r.fileRead = true
		m, err := r.mappingFile()
		if err != nil {
			return nil, err
		}
		r.fileMap = m
	}
	if r.fileMap != nil {
		return r.fileMap, nil
	}
	m, err := LookupMapping(r.job.Mapping, r.job.Kind, h)
	if _, ok := errors.AsType[*ambiguousMappingError](err); ok {
		return nil, fmt.Errorf("%w (pass one with --mapping)", err)
	}
	return m, err
}

// mappingFile reads and parses the job's mapping file, or returns nil when no file has that
// name and the name does not look like a path, so that it names a built-in.
func (r *runner) mappingFile() (*Mapping, error) {
	name := r.job.Mapping
	b, err := os.ReadFile(name)
	if err != nil {
		if looksLikePath(name) {
			return nil, fmt.Errorf("--mapping %s: %w", name, err)
		}
		return nil, nil
	}
	m, err := ParseMapping(b, name)
	if err != nil {
		return nil, err
	}
	if m.Kind != r.job.Kind {
		return nil, fmt.Errorf("mapping %s maps %s, not %s", name, m.Kind, r.job.Kind)
	}
	return m, nil
}

// looksLikePath reports whether a mapping name is meant as a file: it has a path separator or a YAML extension.
func looksLikePath(name string) bool {
	if strings.ContainsRune(name, '/') || strings.ContainsRune(name, filepath.Separator) {
		return true
	}
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// accept stages a valid value, flushing (with retries) when the buffer is full.
func accept[T any](ctx context.Context, r *runner, add func(T)) func(T) error {
	return func(v T) error {
		r.progress()
		if r.errs.Len() > 0 && !r.job.SkipInvalid {
			return nil // strict and already failed: keep validating, stage nothing more
		}
		add(v)
		if !r.load.Full() {
			return nil
		}
		return r.send(ctx)
	}
}

// send hands full buffers to a background send (retrying a failed earlier
// one), so reading the next rows overlaps with the engine storing these.
func (r *runner) send(ctx context.Context) error {
	if err := r.job.Backoff.do(ctx, func() error { return r.load.Send(ctx) }); err != nil {
		return &StoreError{Err: err}
	}
	return nil
}

// flush sends buffered rows to staging, retrying transient failures.
func (r *runner) flush(ctx context.Context) error {
	if err := r.job.Backoff.do(ctx, func() error { return r.load.Flush(ctx) }); err != nil {
		return &StoreError{Err: err}
	}
	return nil
}

// reject records an invalid row: to the rejects file, or to the strict error list.
func (r *runner) reject(e *RowError) error {
	r.progress()
	if !r.job.SkipInvalid {
		r.errs.Add(e)
		return nil
	}
	if r.job.Rejects == nil {
		return nil
	}
	line, err := json.Marshal(struct {
		Source string `json:"source"`
		Line   int    `json:"line"`
		Reason string `json:"reason"`
		Raw    string `json:"raw"`
	}{e.Source, e.Line, e.Error(), e.Raw})
	if err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	if _, err := r.job.Rejects.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	return nil
}

// commit checks references, then moves the staged rows into place.
func (r *runner) commit(ctx context.Context) (Result, error) {
	err := r.job.Backoff.do(ctx, func() error {
		rows, reps, err := r.load.UnknownReps(ctx)
		r.res.UnknownRepRows, r.res.UnknownReps = int64(rows), int64(reps)
		return err
	})
	if err != nil {
		r.abort()
		return r.finish(), &StoreError{Err: err}
	}
	var lr queries.LoadResult
	for {
		err = r.job.Backoff.do(ctx, func() error {
			var err error
			lr, err = r.load.Commit(ctx)
			return err
		})
		ce, ok := errors.AsType[*queries.ConflictError](err)
		if !ok {
			break
		}
		if err := r.conflicts(ctx, ce); err != nil {
			r.abort()
			return r.finish(), err
		}
	}
	if err != nil {
		r.abort()
		return r.finish(), &StoreError{Committing: true, Err: err}
	}
	r.res.Loaded, r.res.Duplicates = lr.Loaded, lr.Duplicates
	r.res.Inferred, r.res.NoCreated, r.res.Superseded = lr.Inferred, lr.NoCreated, lr.Superseded
	return r.finish(), nil
}

// conflicts handles rows of one identity with different content: a strict
// load fails naming both lines of each; a load that skips invalid rows sends
// both to the rejects and leaves the identity out.
func (r *runner) conflicts(ctx context.Context, ce *queries.ConflictError) error {
	keys := make([]string, 0, len(ce.Conflicts))
	for _, c := range ce.Conflicts {
		first, second := r.position(c.First), r.position(c.Second)
		keys = append(keys, c.Key)
		reason := func(other Position) string {
			return fmt.Sprintf("%s %q is also at %s with different content (one load must not give two versions of it)",
				identityName[r.job.Kind], c.Key, other)
		}
		for _, e := range []*RowError{{Position: first, Reason: reason(second)}, {Position: second, Reason: reason(first)}} {
			if !r.job.SkipInvalid {
				r.errs.Add(e)
				break
			}
			r.res.Rejected++
			if err := r.reject(e); err != nil {
				return err
			}
		}
	}
	if !r.job.SkipInvalid {
		return fmt.Errorf("%w:\n%w", ErrInvalid, r.errs.Err())
	}
	if err := r.job.Backoff.do(ctx, func() error { return r.load.Exclude(ctx, keys) }); err != nil {
		return &StoreError{Err: err}
	}
	return nil
}

// identityName is what errors call each kind's identity.
var identityName = map[Kind]string{KindActivities: "activity_id", KindDeals: "deal version", KindReps: "rep_id"}

// positioned wraps a source so that each record's input and line go to the load with the row.
func (r *runner) positioned(src Source) Source {
	idx := len(r.inputs)
	pos := &Position{Source: src.Name()}
	r.inputs = append(r.inputs, pos)
	return &posSource{Source: src, load: r.load, idx: uint64(idx), pos: pos}
}

// position decodes a staged row's position (input index and line).
func (r *runner) position(p uint64) Position {
	idx := int(p >> 32)
	if idx >= len(r.inputs) {
		return Position{Source: "input " + strconv.Itoa(idx+1), Line: int(p & 0xffffffff)}
	}
	in := *r.inputs[idx]
	in.Line = int(p & 0xffffffff)
	return in
}

// posSource tells the load where each record it reads comes from.
type posSource struct {
	Source
	load *queries.Load
	idx  uint64
	pos  *Position
}

// Next reads a record and sets the load's position to it.
func (p *posSource) Next() (*Record, error) {
	rec, err := p.Source.Next()
	if rec != nil {
		p.pos.Format = rec.Format
		p.load.At(p.idx<<32 | uint64(uint32(rec.Line)))
	}
	return rec, err
}

// relabel lets a mapped source name its fields in errors.
func (p *posSource) relabel(e *RowError) {
	if l, ok := p.Source.(labeler); ok {
		l.relabel(e)
	}
}

// abort drops the staging table with a context of its own, so a cancelled
// load still cleans up.
func (r *runner) abort() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = r.load.Abort(ctx)
}

// finish stamps the elapsed time.
func (r *runner) finish() Result {
	r.res.Elapsed = r.job.Now().Sub(r.start)
	return r.res
}

// progress reports progress at most every 250 ms.
func (r *runner) progress() {
	if r.job.Progress == nil {
		return
	}
	r.seen++
	if r.seen%1024 != 0 {
		return // reading the clock for every row costs more than parsing a field
	}
	now := r.job.Now()
	if now.Sub(r.lastPr) < 250*time.Millisecond {
		return
	}
	r.lastPr = now
	r.job.Progress(Progress{Rows: r.seen, Bytes: r.bytes.Load(), TotalBytes: r.total, Elapsed: now.Sub(r.start)})
}

// byteCounter counts the bytes read through it, for progress.
type byteCounter struct {
	r io.Reader
	n *atomic.Int64
}

// Read reads and counts.
func (c *byteCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
