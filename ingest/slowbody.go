package ingest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// The defaults of the minimum rate a request body must arrive at.
const (
	DefaultBodyGrace   = 10 * time.Second
	DefaultMinBodyRate = 8 << 10 // bytes per second
)

// ErrSlowBody marks a body that arrived slower than the handler's minimum rate.
var ErrSlowBody = errors.New("request body arrived too slowly")

// rateBody reads a request body and drops a client that sends it too slowly: the time the
// handler spends waiting for bytes may not pass grace plus one second per rate bytes received.
// Time spent storing rows does not count, so a slow storage never blames the client.
type rateBody struct {
	r      io.Reader
	rc     *http.ResponseController
	grace  time.Duration
	rate   int64
	got    int64
	waited time.Duration
	// err ends the body for good: once it has, the connection's deadline is net/http's again
	// (it clears it to watch for the client going away, and a deadline set then would cancel the request).
	err error
}

// newRateBody wraps r's body; the deadline is on the connection, so it holds even inside a Read.
func newRateBody(w http.ResponseWriter, body io.Reader, grace time.Duration, rate int64) *rateBody {
	return &rateBody{r: body, rc: http.NewResponseController(w), grace: grace, rate: rate}
}

// Read sets the connection's read deadline to the waiting time left, then reads.
func (b *rateBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	left := b.grace + time.Duration(b.got)*time.Second/time.Duration(b.rate) - b.waited
	if left <= 0 {
		b.err = b.slow()
		return 0, b.err
	}
	start := time.Now()
	if err := b.rc.SetReadDeadline(start.Add(left)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	n, err := b.r.Read(p)
	b.waited += time.Since(start)
	b.got += int64(n)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = b.slow()
	}
	b.err = err
	return n, err
}

// slow is the error of a body that fell below the rate.
func (b *rateBody) slow() error {
	return fmt.Errorf("%w: send at least %d bytes/s after the first %s", ErrSlowBody, b.rate, b.grace)
}
