package chdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Config says where the library and the data live.
type Config struct {
	// LibraryPath is the path of libchdb.so.
	LibraryPath string
	// DataDir is the directory that holds the databases; it is created if missing.
	DataDir string
	// Sessions bounds how many statements run at once (default 4).
	Sessions int
	// Logger receives engine events; nil discards them.
	Logger *slog.Logger
}

// Engine is one embedded ClickHouse engine on one data directory.
type Engine struct {
	lib   *library
	dir   string
	lock  *dirLock
	log   *slog.Logger
	slots chan *session

	exposed atomic.Bool // a handler other processes may reach was made

	closeOnce sync.Once
	closeErr  error
}

// session is one chDB connection and the state this package has put on it.
type session struct {
	connp    unsafe.Pointer // chdb_connection*
	database string
	settings map[string]string
}

// conn returns the chdb_connection handle.
func (s *session) conn() unsafe.Pointer { return *(*unsafe.Pointer)(s.connp) }

// Open loads the library, locks the data directory and opens the first session.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Sessions <= 0 {
		cfg.Sessions = 4
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	dir, err := prepareDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	snap, err := snapshotSignals()
	if err != nil {
		return nil, err
	}
	lib, err := loadLibrary(cfg.LibraryPath)
	if err != nil {
		return nil, err
	}
	lock, err := lockDataDir(dir)
	if err != nil {
		return nil, err
	}
	e := &Engine{lib: lib, dir: dir, lock: lock, log: cfg.Logger, slots: make(chan *session, cfg.Sessions)}
	first, err := e.connect(snap)
	if err != nil {
		lock.release()
		return nil, err
	}
	e.slots <- first
	for i := 1; i < cfg.Sessions; i++ {
		e.slots <- nil
	}
	e.log.DebugContext(ctx, "embedded clickhouse engine open", "dir", dir, "chdb", goString(lib.version()), "sessions", cfg.Sessions)
	return e, nil
}

// prepareDataDir makes the data directory and returns its absolute path.
func prepareDataDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("chdb: a data directory is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("chdb: data directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return "", fmt.Errorf("chdb: create data directory: %w", err)
	}
	return abs, nil
}

// connect opens a chDB session, keeping Go's signal handlers in place.
func (e *Engine) connect(snap signalSnapshot) (*session, error) {
	if snap == nil {
		var err error
		if snap, err = snapshotSignals(); err != nil {
			return nil, err
		}
	}
	e.lib.setSignalHandlers(0)
	args := []string{"clickhouse", "--path=" + e.dir}
	argv, pin := cStrings(args)
	connp := e.lib.connect(int32(len(args)), argv)
	pin.Unpin()
	if err := snap.restore(); err != nil {
		return nil, err
	}
	if connp == nil || *(*unsafe.Pointer)(connp) == nil {
		return nil, fmt.Errorf("chdb: cannot open a session on %s (is another process using it? see %s)", e.dir, e.lock.path)
	}
	return &session{connp: connp, database: "default", settings: map[string]string{}}, nil
}

// cStrings builds a NUL-terminated char** from Go strings, pinned until Unpin.
func cStrings(ss []string) (unsafe.Pointer, *runtime.Pinner) {
	pin := new(runtime.Pinner)
	ptrs := make([]unsafe.Pointer, len(ss)+1)
	for i, s := range ss {
		b := append([]byte(s), 0)
		pin.Pin(&b[0])
		ptrs[i] = unsafe.Pointer(&b[0])
	}
	pin.Pin(&ptrs[0])
	return unsafe.Pointer(&ptrs[0]), pin
}

// acquire takes a session slot, connecting a new session when the slot is empty.
func (e *Engine) acquire(ctx context.Context) (*session, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case s, ok := <-e.slots:
		if !ok {
			return nil, errors.New("chdb: engine is closed")
		}
		if s != nil {
			return s, nil
		}
		s, err := e.connect(nil)
		if err != nil {
			e.slots <- nil
			return nil, err
		}
		return s, nil
	}
}

// release returns a session to its slot.
func (e *Engine) release(s *session) { e.slots <- s }

// Close closes every session and releases the data directory.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		for i := 0; i < cap(e.slots); i++ {
			if s := <-e.slots; s != nil {
				e.lib.closeConn(s.connp)
			}
		}
		close(e.slots)
		e.closeErr = e.lock.release()
	})
	return e.closeErr
}

// Shutdown stops the engine library of this process for good: its
// background threads end and no engine opens again. Close every engine
// first. A process that ends through C's exit() (a -race build does) must
// call it before, or chDB's global objects are destroyed under its running
// threads and the process can die of a segmentation fault as it exits.
func Shutdown(libraryPath string) error {
	if _, err := os.Stat(libraryPath); err != nil {
		return nil // never loaded, so nothing runs
	}
	lib, err := loadLibrary(libraryPath)
	if err != nil {
		return err
	}
	lib.shutdown()
	return nil
}

// Request is one statement for the engine.
type Request struct {
	// SQL is the statement text.
	SQL string
	// Format is the output format (or, for Insert, the input format); default TabSeparated.
	Format string
	// Database is the current database for the statement; default "default".
	Database string
	// Params are server-side values for the {name:Type} parameters in SQL.
	Params map[string]string
	// Settings are query settings applied for this statement only.
	Settings map[string]string
}

// Result is what a statement returned.
type Result struct {
	// Data is the output in the requested format.
	Data []byte
	// RowsRead and BytesRead count what the statement read.
	RowsRead, BytesRead uint64
	// RowsWritten and BytesWritten count what it wrote, materialized views included.
	RowsWritten, BytesWritten uint64
	// Elapsed is the engine's own time in seconds.
	Elapsed float64
}

// Error is an exception raised by the engine.
type Error struct {
	// Code is the ClickHouse exception code (0 when the message carried none).
	Code int
	// Message is the engine's text.
	Message string
}

// Error returns the engine's message.
func (e *Error) Error() string { return e.Message }

// newError parses "Code: N. DB::Exception: ..." into an Error.
func newError(msg string) *Error {
	msg = strings.TrimSpace(msg)
	code := 0
	if rest, ok := strings.CutPrefix(msg, "Code: "); ok {
		if i := strings.IndexByte(rest, '.'); i > 0 {
			code, _ = strconv.Atoi(rest[:i])
		}
	}
	if code == 0 {
		msg = "Code: 1000. DB::Exception: " + msg
		code = 1000
	}
	return &Error{Code: code, Message: msg}
}

// Query runs one statement and returns its whole output.
func (e *Engine) Query(ctx context.Context, req Request) (*Result, error) {
	s, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer e.release(s)
	if err := e.prepare(s, req); err != nil {
		return nil, err
	}
	return e.run(s, req.SQL, req.Format, req.Params)
}

// run executes SQL on a session with optional parameters.
func (e *Engine) run(s *session, sql, format string, params map[string]string) (*Result, error) {
	if format == "" {
		format = "TabSeparated"
	}
	q, f := []byte(sql), []byte(format)
	var res unsafe.Pointer
	if len(params) == 0 {
		res = e.lib.queryN(s.conn(), ptr(q), uintptr(len(q)), ptr(f), uintptr(len(f)))
	} else {
		res = e.queryWithParams(s, q, f, params)
	}
	runtime.KeepAlive(q)
	runtime.KeepAlive(f)
	return e.collect(res)
}

// queryWithParams calls chdb_query_with_params_n with pinned name and value arrays.
func (e *Engine) queryWithParams(s *session, q, f []byte, params map[string]string) unsafe.Pointer {
	pin := new(runtime.Pinner)
	defer pin.Unpin()
	n := len(params)
	names, values := make([]unsafe.Pointer, 0, n), make([]unsafe.Pointer, 0, n)
	nameLens, valueLens := make([]uintptr, 0, n), make([]uintptr, 0, n)
	for k, v := range params {
		kb, vb := append([]byte(k), 0), append([]byte(v), 0)
		pin.Pin(&kb[0])
		pin.Pin(&vb[0])
		names, nameLens = append(names, unsafe.Pointer(&kb[0])), append(nameLens, uintptr(len(k)))
		values, valueLens = append(values, unsafe.Pointer(&vb[0])), append(valueLens, uintptr(len(v)))
	}
	pin.Pin(&names[0])
	pin.Pin(&values[0])
	pin.Pin(&nameLens[0])
	pin.Pin(&valueLens[0])
	return e.lib.queryWithParamsN(s.conn(), ptr(q), uintptr(len(q)), ptr(f), uintptr(len(f)),
		unsafe.Pointer(&names[0]), unsafe.Pointer(&nameLens[0]), unsafe.Pointer(&values[0]), unsafe.Pointer(&valueLens[0]), uintptr(n))
}

// collect copies a chdb_result into a Result and frees it.
func (e *Engine) collect(res unsafe.Pointer) (*Result, error) {
	if res == nil {
		return nil, newError("the engine returned no result")
	}
	defer e.lib.destroyResult(res)
	if msg := goString(e.lib.resultError(res)); msg != "" {
		return nil, newError(msg)
	}
	out := &Result{
		Data:         append([]byte(nil), cBytes(e.lib.resultBuffer(res), e.lib.resultLength(res))...),
		RowsRead:     e.lib.resultRowsRead(res),
		BytesRead:    e.lib.resultBytesRead(res),
		RowsWritten:  e.lib.resultRowsWritten(res),
		BytesWritten: e.lib.resultBytesWritten(res),
		Elapsed:      e.lib.resultElapsed(res),
	}
	return out, nil
}

// prepare switches the session to the request's database and settings.
func (e *Engine) prepare(s *session, req Request) error {
	db := req.Database
	if db == "" {
		db = "default"
	}
	if db != s.database {
		if _, err := e.run(s, "USE "+QuoteIdent(db), "", nil); err != nil {
			return err
		}
		s.database = db
	}
	return e.applySettings(s, req.Settings)
}

// applySettings makes the session's settings exactly the request's: new
// values are SET, and settings an earlier request changed go back to DEFAULT.
func (e *Engine) applySettings(s *session, want map[string]string) error {
	for k := range s.settings {
		if _, keep := want[k]; keep {
			continue
		}
		if _, err := e.run(s, "SET "+QuoteIdent(k)+" = DEFAULT", "", nil); err != nil {
			return err
		}
		delete(s.settings, k)
	}
	for k, v := range want {
		if cur, ok := s.settings[k]; ok && cur == v {
			continue
		}
		if err := e.set(s, k, v); err != nil {
			return err
		}
		s.settings[k] = v
	}
	return nil
}

// set applies one setting; the value travels as a bound parameter-free string literal.
func (e *Engine) set(s *session, name, value string) error {
	if !isIdent(name) {
		return &Error{Code: 115, Message: fmt.Sprintf("Code: 115. DB::Exception: Unknown setting %q", name)}
	}
	_, err := e.run(s, "SET "+name+" = "+QuoteString(value), "", nil)
	return err
}

// Insert streams data in the given input format into an INSERT statement
// (without FORMAT clause or inline data), in chunks, never inline.
func (e *Engine) Insert(ctx context.Context, req Request, data io.Reader) (*Result, error) {
	s, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer e.release(s)
	if err := e.prepare(s, req); err != nil {
		return nil, err
	}
	q, f := []byte(req.SQL), []byte(req.Format)
	stream := e.lib.streamInsertN(s.conn(), ptr(q), uintptr(len(q)), ptr(f), uintptr(len(f)))
	runtime.KeepAlive(q)
	runtime.KeepAlive(f)
	if stream == nil {
		return nil, newError("the engine could not start the insert")
	}
	defer e.lib.destroyInsertStream(stream)
	if msg := goString(e.lib.streamInsertError(stream)); msg != "" {
		return nil, newError(msg)
	}
	if err := e.feed(ctx, stream, data); err != nil {
		e.lib.streamCancelInsert(stream)
		return nil, err
	}
	return e.collect(e.lib.streamDone(stream))
}

// feed appends the reader's bytes to an insert stream in 1 MiB chunks.
func (e *Engine) feed(ctx context.Context, stream unsafe.Pointer, data io.Reader) error {
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := io.ReadFull(data, buf)
		if n > 0 {
			if e.lib.streamAppend(stream, ptr(buf[:n]), uintptr(n)) != 0 {
				return newError(goString(e.lib.streamInsertError(stream)))
			}
		}
		switch {
		case rerr == nil:
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			return nil
		default:
			return fmt.Errorf("chdb: read insert data: %w", rerr)
		}
	}
}

// Escapers for quoted identifiers and string literals, built once.
var (
	identEscaper  = strings.NewReplacer("\\", "\\\\", "`", "\\`")
	stringEscaper = strings.NewReplacer("\\", "\\\\", "'", "\\'")
)

// QuoteIdent quotes a ClickHouse identifier with backticks.
func QuoteIdent(s string) string { return "`" + identEscaper.Replace(s) + "`" }

// QuoteString quotes a ClickHouse string literal.
func QuoteString(s string) string { return "'" + stringEscaper.Replace(s) + "'" }

// isIdent reports whether s is a plain identifier such as a setting name.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}
