package stream

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Hub is the websocket stream: it batches the scene's deltas, fans them out
// to subscription groups and serves GET /ws. A Hub is safe for concurrent
// use; Run must be called once.
type Hub struct {
	opts     Options
	log      *slog.Logger
	m        *metrics
	upgrader websocket.Upgrader

	pendMu sync.Mutex
	pend   *batch // deltas published since the last flush
	spare  *batch
	wake   chan struct{} // cap 1: a batch is pending

	flushMu  sync.Mutex // one flush at a time; guards the scratch and ledger below
	flushBuf []byte
	flushOut []byte
	seen     ledger // where clients last saw each entity, as of the last flush

	alarmMu  sync.Mutex    // orders alarm seq numbers and enqueueing
	alarmSeq atomic.Uint64 // last alarm frame's seq; written under alarmMu

	mu      sync.RWMutex
	clients map[*client]struct{}
	groups  map[string]*group // by subscription key
	closed  bool
	wg      sync.WaitGroup // client goroutines
}

// group is the clients with one subscription. Its live frames are built
// once and shared; seq numbers its live frames.
type group struct {
	sub     subscription
	seq     atomic.Uint64
	members map[*client]struct{} // guarded by Hub.mu
	size    atomic.Int64         // len(members)

	snapMu sync.Mutex
	snap   *groupSnapshot // shared snapshot, dropped at the next live frame
}

// New returns a hub serving opts.Scene. Register h.Publish with
// Scene.Observe and call Run. It panics when opts.Validate fails (a
// wiring mistake); call Validate first to handle that as an error.
func New(opts Options) *Hub {
	if err := opts.Validate(); err != nil {
		panic(err)
	}
	opts.defaults()
	h := &Hub{
		opts:    opts,
		log:     opts.Logger.With("component", "stream"),
		m:       newMetrics(opts.Registerer),
		pend:    newBatch(),
		spare:   newBatch(),
		wake:    make(chan struct{}, 1),
		clients: make(map[*client]struct{}),
		groups:  make(map[string]*group),
		seen:    seedLedger(opts.Scene),
	}
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout:  10 * time.Second,
		EnableCompression: true,
		ReadBufferSize:    1024,         // client messages are small
		WriteBufferPool:   &sync.Pool{}, // idle connections hold no write buffer
		CheckOrigin:       opts.CheckOrigin,
	}
	return h
}

// Publish hands a scene Result to the hub; register it with
// Scene.Observe. It only folds the deltas into the pending batch (latest
// wins per entity) and wakes the flush loop: it never blocks on clients.
func (h *Hub) Publish(r twin.Result) {
	if len(r.Deltas) == 0 {
		return
	}
	h.pendMu.Lock()
	for i := range r.Deltas {
		h.pend.add(&r.Deltas[i])
	}
	h.pendMu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// PublishAlarm sends an alarm lifecycle event to every client subscribed to
// the alarms layer. It encodes the frame once and appends it to each
// client's alarm queue; it never blocks on clients and never drops an
// alarm for a connected client (see Options.AlarmQueue).
func (h *Hub) PublishAlarm(ev alarm.Event) {
	h.alarmMu.Lock()
	defer h.alarmMu.Unlock()
	data := encodeAlarm(h.alarmSeq.Add(1), h.now(), ev)
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.clients {
		c.offerAlarm(data)
	}
}

// PublishNotify sends a `notify` frame carrying n (any JSON value: a
// gathering notice for a person, an evacuation call) to every client
// subscribed to the alarms layer, on the same never-dropped queue as
// alarms. A value JSON cannot carry is logged and not sent.
func (h *Hub) PublishNotify(n any) {
	h.alarmMu.Lock()
	defer h.alarmMu.Unlock()
	data, err := json.Marshal(notifyFrame{Type: frameNotify, Seq: h.alarmSeq.Add(1), TS: h.now(), Notify: n})
	if err != nil {
		h.log.Error("encode notify frame", "err", err)
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.clients {
		c.offerAlarm(data)
	}
}

// Run is the flush loop: at most every FlushInterval it turns the pending
// batch into frames for each subscription group. When ctx is done it closes
// every client (1001 going away), waits for their goroutines and returns nil.
func (h *Hub) Run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			h.shutdown()
			return nil
		case <-h.wake:
		}
		if wait := h.opts.FlushInterval - time.Since(last); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				h.shutdown()
				return nil
			case <-timer.C:
			}
		}
		last = time.Now()
		h.flush()
	}
}

// shutdown refuses new clients, closes the connected ones and waits.
func (h *Hub) shutdown() {
	h.mu.Lock()
	h.closed = true
	for c := range h.clients {
		c.close(websocket.CloseGoingAway, byeShutdown)
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// Clients returns the number of connected clients.
func (h *Hub) Clients() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients)
}

func (h *Hub) now() int64 { return h.opts.Clock().UnixMilli() }

// subscribe moves c into the group of sub and asks for its snapshot.
func (h *Hub) subscribe(c *client, sub subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.leaveGroup(c)
	g := h.groups[sub.key]
	if g == nil {
		g = &group{sub: sub, members: make(map[*client]struct{})}
		h.groups[sub.key] = g
	}
	g.members[c] = struct{}{}
	g.size.Store(int64(len(g.members)))
	c.setGroup(g)
}

// leaveGroup takes c out of its group, dropping the group when empty.
// h.mu must be held.
func (h *Hub) leaveGroup(c *client) {
	g := c.currentGroup()
	if g == nil {
		return
	}
	delete(g.members, c)
	g.size.Store(int64(len(g.members)))
	if len(g.members) == 0 && h.groups[g.sub.key] == g {
		delete(h.groups, g.sub.key)
	}
}

// register adds a connected client; false when the hub is shut down.
// It counts the client's goroutines in h.wg under h.mu, so shutdown's
// Wait never races an Add.
func (h *Hub) register(c *client, goroutines int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.clients[c] = struct{}{}
	h.wg.Add(goroutines)
	h.m.clients.Inc()
	return true
}

func (h *Hub) unregister(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; !ok {
		return
	}
	h.leaveGroup(c)
	delete(h.clients, c)
	h.m.clients.Dec()
}
