package park

import (
	"context"
	"time"
)

// Run pushes every Interval until ctx ends, then makes one last push bounded
// by FlushTimeout. A failed push is retried with exponential backoff from
// RetryMin up to Interval; new alarm records bring the next push forward to
// RetryMin after the last one. Run returns nil when ctx ends; it starts no
// goroutine of its own.
func (u *Uploader) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	for {
		start := time.Now()
		err := u.Push(ctx)
		if ctx.Err() != nil {
			break
		}
		wait := u.opts.Interval
		switch {
		case err != nil:
			backoff = min(max(2*backoff, u.opts.RetryMin), u.opts.Interval)
			wait = backoff
			u.log.Warn("park push failed; retrying", "in", backoff, "err", err)
		case u.backlog():
			backoff, wait = 0, u.opts.RetryMin
		default:
			backoff = 0
		}
		u.logDrops()
		if !u.wait(ctx, start, wait, err == nil) {
			break
		}
	}
	fctx, cancel := context.WithTimeout(context.Background(), u.opts.FlushTimeout)
	defer cancel()
	if err := u.Push(fctx); err != nil {
		u.log.Warn("park final push failed", "queued", u.Queued(), "err", err)
	}
	u.logDrops()
	return nil
}

// wait sleeps d, or less when alarms arrive (and kicks are honoured): then
// until RetryMin after start. It reports false when ctx ended.
func (u *Uploader) wait(ctx context.Context, start time.Time, d time.Duration, kicks bool) bool {
	deadline := time.Now().Add(d)
	t := time.NewTimer(d)
	defer t.Stop()
	kick := u.kick
	if !kicks {
		kick = nil
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		case <-kick:
			kick = nil
			if soon := start.Add(u.opts.RetryMin); soon.Before(deadline) {
				t.Reset(max(0, time.Until(soon)))
				deadline = soon
			}
		}
	}
}

// logDrops logs the records the queue dropped since the last call.
func (u *Uploader) logDrops() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for t, n := range u.dropped {
		if n > 0 {
			u.log.Error("park queue full; records dropped", "table", t, "records", n, "max_queue", u.opts.MaxQueue)
		}
		delete(u.dropped, t)
	}
}
