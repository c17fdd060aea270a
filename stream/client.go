package stream

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
)

// maxReplies bounds the error frames waiting for one client.
const maxReplies = 16

// client is one websocket connection: a reader goroutine (client messages)
// and a writer goroutine (everything sent), with bounded queues between the
// hub and the writer. Its fields under mu are shared by the flush loop,
// PublishAlarm, the reader and the writer.
type client struct {
	h      *Hub
	conn   *websocket.Conn
	ctx    context.Context // for Authorize; cancelled when the client ends
	cancel context.CancelFunc
	wake   chan struct{} // cap 1: something to write

	readerDone chan struct{} // closed when the reader ends
	closing    atomic.Bool   // the writer has sent its close frame
	gotClose   atomic.Bool   // the client's close frame was read

	// authorized is the reader's alone.
	authorized bool

	mu      sync.Mutex
	group   *group
	live    []liveFrame // ≤ QueueFrames
	alarms  [][]byte    // ≤ AlarmQueue
	replies [][]byte    // error frames, ≤ maxReplies
	errSeq  uint64
	// resync asks the writer for a snapshot; snapSeq is the group seq the
	// last snapshot covers: live frames at or below it are stale.
	resync  bool
	snapSeq uint64
	// closeCode ≠ 0 asks the writer to close with that code.
	closeCode   int
	closeReason string // disconnects_total label
	liveHigh    int    // high-water mark of len(live), for tests
}

// liveFrame is a group frame (delta or positions) in a client's queue.
type liveFrame struct {
	g    *group
	seq  uint64
	typ  string
	pm   *websocket.PreparedMessage
	size int // uncompressed payload bytes
}

// job is the writer's next piece of work.
type job struct {
	typ       string // frame type; "" with close
	pm        *websocket.PreparedMessage
	data      []byte
	group     *group // snapshot: the subscription
	seq       uint64 // snapshot: the live seq it covers
	close     bool
	code      int
	closeText string
}

func newClient(h *Hub, conn *websocket.Conn, authorized bool) *client {
	ctx, cancel := context.WithCancel(context.Background())
	return &client{h: h, conn: conn, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1),
		readerDone: make(chan struct{}), authorized: authorized}
}

func (c *client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *client) currentGroup() *group {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.group
}

// setGroup switches the client's subscription: queued live frames of the
// old one are dropped and a snapshot of the new one is due.
func (c *client) setGroup(g *group) {
	c.mu.Lock()
	c.group = g
	c.resync = true
	c.clearLive()
	c.mu.Unlock()
	c.signal()
}

// requestResync asks for a fresh snapshot; false without a subscription.
func (c *client) requestResync() bool {
	c.mu.Lock()
	ok := c.group != nil
	if ok {
		c.resync = true
		c.clearLive()
	}
	c.mu.Unlock()
	c.signal()
	return ok
}

// clearLive empties the live queue. c.mu must be held.
func (c *client) clearLive() {
	clear(c.live)
	c.live = c.live[:0]
}

// offerLive queues a group frame. It never blocks: a frame the coming
// snapshot covers is discarded, and a full queue is emptied and replaced by
// a resync (latest state wins).
func (c *client) offerLive(f liveFrame) {
	c.mu.Lock()
	if c.closeCode != 0 || c.group != f.g || c.resync {
		c.mu.Unlock()
		return
	}
	if len(c.live) >= c.h.opts.QueueFrames {
		n := len(c.live) + 1
		c.clearLive()
		c.resync = true
		c.mu.Unlock()
		c.h.m.dropped.WithLabelValues(dropQueueFull).Add(float64(n))
		c.h.m.resyncs.Inc()
		c.signal()
		return
	}
	c.live = append(c.live, f)
	c.liveHigh = max(c.liveHigh, len(c.live))
	c.mu.Unlock()
	c.signal()
}

// offerAlarm queues an alarm frame for a client subscribed to alarms. An
// alarm is never dropped: when the queue is full the client is closed with
// 1013 (try again later) and gets the active alarms on reconnect.
func (c *client) offerAlarm(data []byte) {
	c.mu.Lock()
	if c.closeCode != 0 || c.group == nil || !c.group.sub.alarms() {
		c.mu.Unlock()
		return
	}
	if len(c.alarms) >= c.h.opts.AlarmQueue {
		c.alarms = nil
		c.closeCode, c.closeReason = websocket.CloseTryAgainLater, byeAlarmOverflow
		c.mu.Unlock()
		c.h.log.Warn("alarm queue overflow, disconnecting client", "remote", c.conn.RemoteAddr().String(), "queue", c.h.opts.AlarmQueue)
		c.signal()
		return
	}
	c.alarms = append(c.alarms, data)
	c.mu.Unlock()
	c.signal()
}

// reply queues an error frame.
func (c *client) reply(code, msg string) {
	c.mu.Lock()
	if len(c.replies) >= maxReplies {
		c.mu.Unlock()
		c.h.m.dropped.WithLabelValues(dropReplies).Inc()
		return
	}
	c.errSeq++
	c.replies = append(c.replies, encodeError(c.errSeq, c.h.now(), code, msg))
	c.mu.Unlock()
	c.signal()
}

// close asks the writer to close the connection; the first reason wins.
func (c *client) close(code int, reason string) {
	c.mu.Lock()
	if c.closeCode == 0 {
		c.closeCode, c.closeReason = code, reason
	}
	c.mu.Unlock()
	c.signal()
}

// next picks the writer's next job: a close, then alarms, then error
// replies, then a due snapshot, then live frames.
func (c *client) next() (job, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.replies) > 0 {
		data := c.replies[0]
		c.replies = c.replies[1:]
		return job{typ: frameError, data: data}, true
	}
	if c.closeCode != 0 {
		return job{close: true, code: c.closeCode, closeText: c.closeReason}, true
	}
	if len(c.alarms) > 0 {
		data := c.alarms[0]
		c.alarms[0] = nil
		c.alarms = c.alarms[1:]
		return job{typ: frameAlarm, data: data}, true
	}
	if c.resync && c.group != nil {
		c.resync = false
		c.clearLive()
		c.snapSeq = c.group.seq.Load()
		return job{typ: frameSnapshot, group: c.group, seq: c.snapSeq}, true
	}
	for len(c.live) > 0 {
		f := c.live[0]
		copy(c.live, c.live[1:])
		c.live[len(c.live)-1] = liveFrame{}
		c.live = c.live[:len(c.live)-1]
		if f.g == c.group && f.seq > c.snapSeq {
			return job{typ: f.typ, pm: f.pm}, true
		}
		c.h.m.dropped.WithLabelValues(dropStale).Inc()
	}
	return job{}, false
}

// queueLens reports the queue lengths and the live high-water mark (tests).
func (c *client) queueLens() (live, alarms, liveHigh int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.live), len(c.alarms), c.liveHigh
}
