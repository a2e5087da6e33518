package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Version is the chDB release whose libchdb.so this package is built and tested against.
const Version = "26.7.3"

// NPMPackage is the npm package that ships libchdb.so for Linux x86-64.
const NPMPackage = "@chdb/lib-linux-x64-gnu@26.7.3-stable.1"

// LibrarySHA256 is the sha256 of the pinned libchdb.so.
const LibrarySHA256 = "36ad4e999882821ef13cf2d0f52c93f48e6ee1b4498b35a201c23ce4b8d15bf5"

// ErrLibraryMissing reports that libchdb.so is not where the program looked for it.
var ErrLibraryMissing = errors.New("chdb: libchdb.so not found")

// DefaultLibraryPath returns where `make chdb` puts the library: under
// $XDG_CACHE_HOME (or ~/.cache) in salesrecipe/chdb/VERSION/libchdb.so.
func DefaultLibraryPath(getenv func(string) string) string {
	cache := getenv("XDG_CACHE_HOME")
	if cache == "" {
		home := getenv("HOME")
		if home == "" {
			home = "."
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "salesrecipe", "chdb", Version, "libchdb.so")
}

// fetchHelp tells a user how to get the library when it is missing.
func fetchHelp(path string) string {
	dir := filepath.Dir(path)
	return fmt.Sprintf("the embedded ClickHouse engine needs %s.\n"+
		"Fetch it with `make chdb`, or by hand:\n"+
		"  mkdir -p %s && cd %s && npm pack %s && tar -xzf chdb-lib-linux-x64-gnu-*.tgz package/libchdb.so && mv package/libchdb.so . && rm -r package chdb-lib-linux-x64-gnu-*.tgz\n"+
		"or point --chdb-lib / SALESRECIPE_CHDB_LIB at an existing copy, or use a ClickHouse server with --clickhouse DSN",
		path, dir, dir, NPMPackage)
}

// library holds the C functions of libchdb.so that the engine calls.
type library struct {
	version             func() unsafe.Pointer
	setSignalHandlers   func(enabled int32)
	connect             func(argc int32, argv unsafe.Pointer) unsafe.Pointer // returns chdb_connection*
	closeConn           func(connp unsafe.Pointer)
	shutdown            func()
	queryN              func(conn unsafe.Pointer, q unsafe.Pointer, qlen uintptr, f unsafe.Pointer, flen uintptr) unsafe.Pointer
	queryWithParamsN    func(conn unsafe.Pointer, q unsafe.Pointer, qlen uintptr, f unsafe.Pointer, flen uintptr, names, nameLens, values, valueLens unsafe.Pointer, n uintptr) unsafe.Pointer
	resultBuffer        func(res unsafe.Pointer) unsafe.Pointer
	resultLength        func(res unsafe.Pointer) uintptr
	resultError         func(res unsafe.Pointer) unsafe.Pointer
	resultRowsWritten   func(res unsafe.Pointer) uint64
	resultBytesWritten  func(res unsafe.Pointer) uint64
	resultRowsRead      func(res unsafe.Pointer) uint64
	resultBytesRead     func(res unsafe.Pointer) uint64
	resultElapsed       func(res unsafe.Pointer) float64
	destroyResult       func(res unsafe.Pointer)
	streamInsertN       func(conn unsafe.Pointer, q unsafe.Pointer, qlen uintptr, f unsafe.Pointer, flen uintptr) unsafe.Pointer
	streamAppend        func(stream unsafe.Pointer, data unsafe.Pointer, n uintptr) int32
	streamDone          func(stream unsafe.Pointer) unsafe.Pointer
	streamInsertError   func(stream unsafe.Pointer) unsafe.Pointer
	streamCancelInsert  func(stream unsafe.Pointer)
	destroyInsertStream func(stream unsafe.Pointer)
	classifyQueryN      func(conn unsafe.Pointer, sql unsafe.Pointer, n uintptr, db unsafe.Pointer, dblen uintptr, out unsafe.Pointer) int32
}

// loadLibrary opens libchdb.so at path and binds its functions. It never
// panics: a missing file or symbol comes back as an error.
func loadLibrary(path string) (lib *library, err error) {
	if _, statErr := os.Stat(path); statErr != nil {
		return nil, fmt.Errorf("%w at %s: %s", ErrLibraryMissing, path, fetchHelp(path))
	}
	handle, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, fmt.Errorf("chdb: load %s: %w", path, err)
	}
	defer func() {
		// RegisterLibFunc panics on a missing symbol; a library of another
		// version must give an error, not a crash.
		if r := recover(); r != nil {
			lib, err = nil, fmt.Errorf("chdb: %s is not chDB %s: %v", path, Version, r)
		}
	}()
	lib = &library{}
	lib.bind(handle)
	return lib, nil
}

// bind registers every C function the engine uses.
func (l *library) bind(h uintptr) {
	purego.RegisterLibFunc(&l.version, h, "chdb_version")
	purego.RegisterLibFunc(&l.setSignalHandlers, h, "chdb_set_signal_handlers_enabled")
	purego.RegisterLibFunc(&l.connect, h, "chdb_connect")
	purego.RegisterLibFunc(&l.closeConn, h, "chdb_close_conn")
	purego.RegisterLibFunc(&l.shutdown, h, "chdb_shutdown")
	purego.RegisterLibFunc(&l.queryN, h, "chdb_query_n")
	purego.RegisterLibFunc(&l.queryWithParamsN, h, "chdb_query_with_params_n")
	purego.RegisterLibFunc(&l.resultBuffer, h, "chdb_result_buffer")
	purego.RegisterLibFunc(&l.resultLength, h, "chdb_result_length")
	purego.RegisterLibFunc(&l.resultError, h, "chdb_result_error")
	purego.RegisterLibFunc(&l.resultRowsWritten, h, "chdb_result_rows_written")
	purego.RegisterLibFunc(&l.resultBytesWritten, h, "chdb_result_bytes_written")
	purego.RegisterLibFunc(&l.resultRowsRead, h, "chdb_result_rows_read")
	purego.RegisterLibFunc(&l.resultBytesRead, h, "chdb_result_bytes_read")
	purego.RegisterLibFunc(&l.resultElapsed, h, "chdb_result_elapsed")
	purego.RegisterLibFunc(&l.destroyResult, h, "chdb_destroy_query_result")
	purego.RegisterLibFunc(&l.streamInsertN, h, "chdb_stream_insert_n")
	purego.RegisterLibFunc(&l.streamAppend, h, "chdb_stream_append")
	purego.RegisterLibFunc(&l.streamDone, h, "chdb_stream_done")
	purego.RegisterLibFunc(&l.streamInsertError, h, "chdb_stream_insert_error")
	purego.RegisterLibFunc(&l.streamCancelInsert, h, "chdb_stream_cancel_insert")
	purego.RegisterLibFunc(&l.destroyInsertStream, h, "chdb_destroy_insert_stream")
	purego.RegisterLibFunc(&l.classifyQueryN, h, "chdb_classify_query_n")
}

// goString copies a NUL-terminated C string.
func goString(p unsafe.Pointer) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(p), n))
}

// cBytes views n bytes of C memory without copying; the view dies with its owner.
func cBytes(p unsafe.Pointer, n uintptr) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), n)
}

// ptr returns a pointer to the first byte of b, or nil for an empty slice.
func ptr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}
