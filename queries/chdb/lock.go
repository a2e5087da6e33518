package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// dirLock is an exclusive advisory lock on a data directory, naming its holder.
type dirLock struct {
	path string
	f    *os.File
}

// ErrDataDirBusy reports that another process has the data directory open.
var ErrDataDirBusy = errors.New("chdb: data directory is in use by another process")

// BusyError reports the process holding a data directory; it wraps ErrDataDirBusy.
type BusyError struct {
	Dir string
	// Holder is what the holder wrote in the lock: "pid N: its command line", or "" when unknown.
	Holder string
}

// Error names the holder and says how to reach the engine from another process.
func (e *BusyError) Error() string {
	return fmt.Sprintf("%v: %s is held by %s.\n"+
		"Only one process can open the embedded engine's data directory. Stop that process, "+
		"or start it with `serve --clickhouse-listen 127.0.0.1:PORT --clickhouse-password P` and reach it "+
		"from here with --clickhouse http://default:P@127.0.0.1:PORT", ErrDataDirBusy, e.Dir, describeHolder([]byte(e.Holder)))
}

// Unwrap returns ErrDataDirBusy.
func (e *BusyError) Unwrap() error { return ErrDataDirBusy }

// lockDataDir takes the directory's lock or says which process holds it.
func lockDataDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, "salesrecipe.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("chdb: open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		return nil, &BusyError{Dir: dir, Holder: strings.TrimSpace(string(holder))}
	}
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d: %s\n", os.Getpid(), strings.Join(os.Args, " "))
	}
	return &dirLock{path: path, f: f}, nil
}

// describeHolder turns the lock file's content into words.
func describeHolder(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "another process"
	}
	return "process " + strings.TrimPrefix(s, "pid ")
}

// release drops the lock.
func (l *dirLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	return err
}
