package ingest

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Backoff says how often and how patiently storage writes are retried.
type Backoff struct {
	// Attempts is the number of tries, the first included.
	Attempts int
	// First is the wait after the first failure; each later wait doubles, up to Max.
	First, Max time.Duration
	// Sleep waits; nil means a timer that stops when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultBackoff retries for about half a minute.
func DefaultBackoff() Backoff {
	return Backoff{Attempts: 6, First: 500 * time.Millisecond, Max: 8 * time.Second}
}

// do runs fn until it succeeds, fails for good, or the tries run out.
func (b Backoff) do(ctx context.Context, fn func() error) error {
	wait := b.First
	sleep := b.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var err error
	for try := 1; ; try++ {
		if err = fn(); err == nil || !Transient(err) || try >= b.Attempts {
			return err
		}
		if serr := sleep(ctx, wait); serr != nil {
			return errors.Join(err, serr)
		}
		wait = min(2*wait, b.Max)
	}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// transientCodes are ClickHouse exception codes that a later try may not hit.
var transientCodes = map[int32]bool{
	159: true, // TIMEOUT_EXCEEDED
	202: true, // TOO_MANY_SIMULTANEOUS_QUERIES
	209: true, // SOCKET_TIMEOUT
	210: true, // NETWORK_ERROR
	241: true, // MEMORY_LIMIT_EXCEEDED
	242: true, // TABLE_IS_READ_ONLY
	252: true, // TOO_MANY_PARTS
	425: true, // SYSTEM_ERROR
	999: true, // KEEPER_EXCEPTION
}

// Transient reports whether err is a storage failure that retrying may cure:
// the server unreachable, a dropped connection, or a transient exception.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return transientCodes[ex.Code]
	}
	var he *clickhouse.HTTPError
	if errors.As(err, &he) && (he.StatusCode == 502 || he.StatusCode == 503 || he.StatusCode == 504) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}

// dataCodes are ClickHouse exception codes that mean a value cannot be stored as sent.
var dataCodes = map[int32]bool{
	6:   true, // CANNOT_PARSE_TEXT
	27:  true, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
	38:  true, // CANNOT_PARSE_DATE
	41:  true, // CANNOT_PARSE_DATETIME
	53:  true, // TYPE_MISMATCH
	69:  true, // ARGUMENT_OUT_OF_BOUND
	70:  true, // CANNOT_CONVERT_TYPE
	72:  true, // CANNOT_PARSE_NUMBER
	117: true, // INCORRECT_DATA
	321: true, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
	407: true, // DECIMAL_OVERFLOW
}

// DataError reports whether err is the storage refusing a value it was sent, which no retry
// cures and the sender must fix.
func DataError(err error) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && dataCodes[ex.Code]
}
