package dashboards

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Gate decides who a client is and slows down token guessing. A client is its
// peer address, or, when the peer is one of the trusted proxies, the last
// address in X-Forwarded-For that is not a trusted proxy; IPv6 clients are
// keyed by their /64. A failed sign-in costs the client one attempt; while a
// client has none left every token it sends, right or wrong, is refused with
// 429 before it is checked. Only a trusted proxy's forwarding headers
// (X-Forwarded-For, X-Forwarded-Proto, the proxy's user header) are believed.
type Gate struct {
	proxies []netip.Prefix
	limit   *limiter
}

// GateConfig configures a Gate.
type GateConfig struct {
	// TrustedProxies are the addresses of the reverse proxies whose forwarding headers are believed.
	TrustedProxies []netip.Prefix
	// Burst is how many failed attempts a client may make at once; zero means 10.
	Burst int
	// Interval gives a client one attempt back per interval; zero means 6 seconds.
	Interval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewGate returns a gate.
func NewGate(cfg GateConfig) *Gate {
	if cfg.Burst <= 0 {
		cfg.Burst = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Gate{proxies: cfg.TrustedProxies, limit: newLimiter(cfg.Burst, orDuration(cfg.Interval, 6*time.Second), cfg.Now)}
}

// ParseProxies reads a comma-separated list of CIDRs or single addresses.
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: want an address or a CIDR such as 10.0.0.0/8", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an address or a CIDR such as 10.0.0.0/8", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// trusted reports whether an address is one of the trusted proxies.
func (g *Gate) trusted(a netip.Addr) bool {
	for _, p := range g.proxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// peer returns the request's peer address; ok is false when it cannot be read.
func peer(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

// FromProxy reports whether the request came from a trusted proxy.
func (g *Gate) FromProxy(r *http.Request) bool {
	a, ok := peer(r)
	return ok && g.trusted(a)
}

// Client returns the key the request's client is limited by.
func (g *Gate) Client(r *http.Request) string {
	a, ok := peer(r)
	if !ok {
		return r.RemoteAddr
	}
	if g.trusted(a) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			a = h.Unmap()
			if !g.trusted(a) {
				break
			}
		}
	}
	if a.Is6() {
		p, _ := a.Prefix(64) // a is a valid IPv6 address, so /64 is a valid prefix
		return p.String()
	}
	return a.String()
}

// Secure reports whether the client reached the server over TLS: directly, or
// through a trusted proxy that says so in X-Forwarded-Proto.
func (g *Gate) Secure(r *http.Request) bool {
	return r.TLS != nil || (g.FromProxy(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// Limited returns how long the client must wait before its next attempt; zero when it may try now.
func (g *Gate) Limited(r *http.Request) time.Duration {
	return g.limit.wait(g.Client(r))
}

// Failed charges the client one attempt for a wrong token.
func (g *Gate) Failed(r *http.Request) {
	g.limit.allow(g.Client(r))
}

// Limit wraps a handler that checks a token: a limited client gets 429 before
// the handler runs, and each 401 the handler answers costs the client an attempt.
func (g *Gate) Limit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wait := g.Limited(r); wait > 0 {
			he := tooManySignIns(wait)
			w.Header().Set("Retry-After", fmt.Sprint(he.retryAfter))
			http.Error(w, he.msg, he.code)
			return
		}
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		if rec.code == http.StatusUnauthorized {
			g.Failed(r)
		}
	})
}

// limiter is a token bucket per key (a client): burst attempts at once, then one every interval.
type limiter struct {
	burst    float64
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

// bucket is one key's tokens at one moment.
type bucket struct {
	tokens float64
	at     time.Time
}

// newLimiter returns a limiter allowing burst attempts, refilled one per interval.
func newLimiter(burst int, interval time.Duration, now func() time.Time) *limiter {
	return &limiter{burst: float64(burst), interval: interval, now: now, buckets: map[string]*bucket{}}
}

// refill returns key's bucket brought up to now. The lock is held.
func (l *limiter) refill(key string) *bucket {
	now := l.now()
	if len(l.buckets) > 10000 {
		l.prune(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.interval))
	b.at = now
	return b
}

// allow takes a token for key; when none is left it returns false and how long until one is.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key)
	if b.tokens < 1 {
		return false, l.until(b)
	}
	b.tokens--
	return true, 0
}

// wait returns how long until key has a token, without taking one.
func (l *limiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.refill(key); b.tokens < 1 {
		return l.until(b)
	}
	return 0
}

// until is how long until the bucket holds a whole token.
func (l *limiter) until(b *bucket) time.Duration {
	return max(time.Duration((1-b.tokens)*float64(l.interval)), time.Nanosecond)
}

// prune forgets buckets that have refilled completely.
func (l *limiter) prune(now time.Time) {
	full := time.Duration(l.burst * float64(l.interval))
	for k, b := range l.buckets {
		if now.Sub(b.at) >= full {
			delete(l.buckets, k)
		}
	}
}
