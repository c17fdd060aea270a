package api

import (
	"sync"
	"time"
)

// Login brute-force limit: at most loginFailures failed logins per remote
// address within loginWindow; further attempts are refused with 429 until
// the oldest failure leaves the window.
const (
	loginFailures = 10
	loginWindow   = 5 * time.Minute
	limiterKeys   = 10000 // addresses tracked at most
)

// limiter counts failures per key in a sliding window. It is safe for
// concurrent use.
type limiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	fails map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: make(map[string][]time.Time)}
}

// blocked reports whether key is over the limit at now, and for how long.
func (l *limiter) blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.prune(key, now)
	if len(f) < l.max {
		return false, 0
	}
	return true, f[0].Add(l.window).Sub(now)
}

// fail records a failure of key at now.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.fails[key]; !ok && len(l.fails) >= limiterKeys {
		l.sweep(now)
	}
	l.fails[key] = append(l.prune(key, now), now)
}

// reset forgets key's failures (after a successful login).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// prune drops key's failures older than the window; l.mu is held.
func (l *limiter) prune(key string, now time.Time) []time.Time {
	f := l.fails[key]
	i := 0
	for i < len(f) && !f[i].After(now.Add(-l.window)) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = f
	return f
}

// sweep makes room for a new key: expired keys go, and if the table is still
// full, arbitrary ones; l.mu is held.
func (l *limiter) sweep(now time.Time) {
	for k := range l.fails {
		l.prune(k, now)
	}
	for k := range l.fails {
		if len(l.fails) < limiterKeys {
			break
		}
		delete(l.fails, k)
	}
}
