package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// ErrNotice is returned by Notice for a notice it cannot read.
var ErrNotice = errors.New("sim: bad notice")

// ErrNotStarted is returned by Notice before the first Step: a notice
// takes effect at the simulation's present, which the first Step fixes.
var ErrNotStarted = errors.New("sim: not started")

// Notices are what chemtwin publishes to a tag on
// chemtwin/{site}/tags/{tag}/notify (twin/evac's orders; twin/gather's
// gathering notices and others share the topic). The simulator reads two
// kinds and ignores the rest.
const (
	noticeEvacuation = "evacuation"
	noticeEnd        = "evacuation_end"
)

// Bounds on a notice: a route of a few hundred points is a few kilobytes;
// anything far larger is not a notice chemtwin sent.
const (
	maxNoticeBytes  = 256 << 10
	maxRoutePoints  = 10_000
	maxNoticeIDLen  = 128 // ingest.MaxIDLen: an ack's ref must pass ingest
	maxRouteReachKM = 50  // a route point further from the plant is an error
)

// notice is an evacuation order (kind noticeEvacuation) or its all-clear
// (noticeEnd) for one tag.
type notice struct {
	tag   string
	kind  string
	order string
	// muster is the muster point's id and, when hasLL, its lon/lat.
	muster   string
	musterLL [2]float64
	hasLL    bool
	// route is the way to the muster point, lon/lat, from the person;
	// nil: none (shelter in place, see reason).
	route [][2]float64
	// pts and musterXY are route and the muster point (else the route's
	// end) in the plant frame (readNotice).
	pts      [][2]float64
	musterXY [2]float64
	reason   string
	update   bool
	at       time.Time // zero when not given
}

// errIgnored marks a notice of another kind (a gathering, an SOS reply):
// well formed, not for the simulator.
var errIgnored = errors.New("sim: notice of another kind")

// noticeTag returns the tag of a notify topic of site prefix
// ("chemtwin/{site}/"), or false for another topic.
func noticeTag(site, topic string) (string, bool) {
	rest, ok := strings.CutPrefix(topic, site+"tags/")
	if !ok {
		return "", false
	}
	tag, ok := strings.CutSuffix(rest, "/notify")
	if !ok || !topicLevel(tag) {
		return "", false
	}
	return tag, true
}

// noticeJSON is the wire form of the fields the simulator reads (twin/evac
// Service.tell and EndOrder write them); others are ignored.
type noticeJSON struct {
	Kind      string          `json:"kind"`
	OrderID   string          `json:"order_id"`
	MusterID  string          `json:"muster_id"`
	MusterLon *float64        `json:"muster_lon"`
	MusterLat *float64        `json:"muster_lat"`
	Route     [][]float64     `json:"route"`
	Reason    string          `json:"reason"`
	Update    bool            `json:"update"`
	At        json.RawMessage `json:"at"`
}

// parseNotice reads a notify payload. It returns errIgnored for a notice
// of another kind and an error wrapping ErrNotice for one it cannot read:
// not a JSON object, a field of the wrong type, no or a bad order_id, a
// route point that is not a finite lon/lat, an unreadable at.
func parseNotice(payload []byte) (notice, error) {
	if len(payload) > maxNoticeBytes {
		return notice{}, fmt.Errorf("%w: %d bytes, at most %d", ErrNotice, len(payload), maxNoticeBytes)
	}
	if b := bytes.TrimSpace(payload); len(b) == 0 || b[0] != '{' {
		return notice{}, fmt.Errorf("%w: not a JSON object", ErrNotice)
	}
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		return notice{}, fmt.Errorf("%w: %v", ErrNotice, err)
	}
	if head.Kind != noticeEvacuation && head.Kind != noticeEnd {
		return notice{}, errIgnored
	}
	var w noticeJSON
	if err := json.Unmarshal(payload, &w); err != nil {
		return notice{}, fmt.Errorf("%w: %v", ErrNotice, err)
	}
	if err := checkNoticeID(w.OrderID); err != nil {
		return notice{}, fmt.Errorf("%w: order_id: %v", ErrNotice, err)
	}
	n := notice{kind: w.Kind, order: w.OrderID, muster: w.MusterID, reason: w.Reason, update: w.Update}
	var err error
	if n.at, err = noticeTime(w.At); err != nil {
		return notice{}, err
	}
	if n.kind == noticeEnd {
		return n, nil
	}
	if (w.MusterLon == nil) != (w.MusterLat == nil) {
		return notice{}, fmt.Errorf("%w: muster_lon and muster_lat go together", ErrNotice)
	}
	if w.MusterLon != nil {
		if !validLonLat(*w.MusterLon, *w.MusterLat) {
			return notice{}, fmt.Errorf("%w: muster point %v, %v", ErrNotice, *w.MusterLon, *w.MusterLat)
		}
		n.musterLL, n.hasLL = [2]float64{*w.MusterLon, *w.MusterLat}, true
	}
	if len(w.Route) > maxRoutePoints {
		return notice{}, fmt.Errorf("%w: route of %d points, at most %d", ErrNotice, len(w.Route), maxRoutePoints)
	}
	for i, c := range w.Route {
		if len(c) < 2 || len(c) > 3 || !validLonLat(c[0], c[1]) {
			return notice{}, fmt.Errorf("%w: route point %d: %v", ErrNotice, i, c)
		}
		n.route = append(n.route, [2]float64{c[0], c[1]})
	}
	return n, nil
}

func validLonLat(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 // false for NaN
}

// checkNoticeID checks an order id as ingest checks an ack's ref, so that
// the ack the simulator sends back is accepted.
func checkNoticeID(id string) error {
	switch {
	case id == "":
		return errors.New("missing")
	case len(id) > maxNoticeIDLen:
		return fmt.Errorf("longer than %d bytes", maxNoticeIDLen)
	case !utf8.ValidString(id):
		return errors.New("not UTF-8")
	case strings.ContainsAny(id, "+#"), strings.IndexFunc(id, unicode.IsControl) >= 0:
		return errors.New("holds a wildcard or a control character")
	}
	return nil
}

// noticeTime reads at: absent or null, an RFC 3339 string, or epoch
// milliseconds.
func noticeTime(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: at: %v", ErrNotice, err)
		}
		return t, nil
	}
	var ms float64
	if err := json.Unmarshal(raw, &ms); err != nil || math.Abs(ms) > 1e15 {
		return time.Time{}, fmt.Errorf("%w: at %s: want RFC 3339 or epoch milliseconds", ErrNotice, raw)
	}
	return time.UnixMilli(int64(ms)), nil
}

// Notice hands the simulator a message chemtwin published on a tag's
// notify topic (Run does this for the messages its subscription
// receives). An evacuation order for a simulated person's tag makes them
// acknowledge it and walk its route to the muster point, its all-clear
// sends them back to work (evacuate.go); notices of other kinds, for
// vehicles or for tags the simulator does not run are ignored. The notice
// takes effect at the time of the last Step, so the simulation stays a
// function of its seed, its Step times and the notices with the Step after
// which each came. It returns an error wrapping ErrNotice for a payload it
// cannot read and ErrNotStarted before the first Step.
func (s *Sim) Notice(topic string, payload []byte) error {
	n, err := s.readNotice(topic, payload)
	if err != nil {
		if errors.Is(err, errIgnored) {
			return nil
		}
		return err
	}
	if !s.started {
		return ErrNotStarted
	}
	s.applyNotice(n)
	return nil
}

// readNotice parses a notify message and counts what it is; safe to call
// from the MQTT client's goroutines (it reads only what New fixed).
func (s *Sim) readNotice(topic string, payload []byte) (notice, error) {
	tag, ok := noticeTag(s.m.site, topic)
	if !ok {
		s.metrics.notices.WithLabelValues("ignored").Inc()
		return notice{}, errIgnored
	}
	n, err := parseNotice(payload)
	switch {
	case errors.Is(err, errIgnored):
		s.metrics.notices.WithLabelValues("ignored").Inc()
		return notice{}, err
	case err != nil:
		s.metrics.notices.WithLabelValues("malformed").Inc()
		return notice{}, fmt.Errorf("%s: %w", topic, err)
	}
	n.tag = tag
	if err := s.locate(&n); err != nil {
		s.metrics.notices.WithLabelValues("malformed").Inc()
		return notice{}, fmt.Errorf("%s: %w", topic, err)
	}
	return n, nil
}

// locate converts a notice's route and muster point to the plant frame;
// a point more than maxRouteReachKM from the plant's origin is an error.
func (s *Sim) locate(n *notice) error {
	far := func(p [2]float64) bool { return math.Hypot(p[0], p[1]) > maxRouteReachKM*1000 }
	for _, ll := range n.route {
		p := plantPoint(s.m.frame, orb.Point(ll))
		if far(p) {
			return fmt.Errorf("%w: route point %v is not at this plant", ErrNotice, ll)
		}
		n.pts = append(n.pts, p)
	}
	switch {
	case n.hasLL:
		n.musterXY = plantPoint(s.m.frame, orb.Point(n.musterLL))
		if far(n.musterXY) {
			return fmt.Errorf("%w: muster point %v is not at this plant", ErrNotice, n.musterLL)
		}
	case len(n.pts) > 0:
		n.musterXY = n.pts[len(n.pts)-1]
	}
	return nil
}

// applyNotice acts on a parsed notice at the time of the last Step.
func (s *Sim) applyNotice(n notice) {
	s.metrics.notices.WithLabelValues(s.ev.apply(n, s.m.sec(s.last))).Inc()
	s.reschedule(s.ev.stream, s.ev.due())
}

// reschedule sets stream i's next due time and restores the heap.
func (s *Sim) reschedule(i int, next int64) {
	s.streams[i].next = next
	for k, j := range s.heap {
		if int(j) == i {
			if s.down(k); s.heap[k] == j {
				s.up(k)
			}
			return
		}
	}
}

// Subscriber is a Publisher that also receives (MQTTPublisher): Run
// subscribes through it to the tags' notify topics when Options.Notices
// is on. handle is called on the client's goroutines and must not block;
// unsubscribe stops the subscription.
type Subscriber interface {
	Subscribe(filter string, handle func(topic string, payload []byte)) (unsubscribe func(), err error)
}

// noticeQueue bounds the notices waiting for Run's loop: an order tells
// every tag at once (330 in the demo), and an update or the all-clear
// comes seconds later at the soonest.
const noticeQueue = 4096

// listen subscribes to chemtwin/{site}/tags/+/notify through pub when
// Options.Notices is on and pub can subscribe. The handler, on the MQTT
// client's goroutines, parses each notice and hands the ones for the
// simulator to the returned channel, never blocking: beyond noticeQueue
// waiting it drops them and counts them. The channel is never closed; stop
// ends the subscription. With nothing to listen to, the channel is nil
// (takeNotices finds nothing in it) and stop does nothing.
func (s *Sim) listen(pub Publisher) (<-chan notice, func()) {
	sub, ok := pub.(Subscriber)
	if !s.opts.Notices || !ok {
		return nil, func() {}
	}
	ch := make(chan notice, noticeQueue)
	filter := s.m.site + "tags/+/notify"
	stop, err := sub.Subscribe(filter, func(topic string, payload []byte) {
		n, err := s.readNotice(topic, payload)
		if err != nil {
			return // counted
		}
		select {
		case ch <- n:
		default:
			s.metrics.notices.WithLabelValues("dropped").Inc()
		}
	})
	if err != nil {
		s.log.Warn("notice subscription failed; retried on reconnection", "filter", filter, "error", err)
	}
	return ch, stop
}

// takeNotices applies the notices that have come, at the time of the last
// Step.
func (s *Sim) takeNotices(ch <-chan notice) {
	for {
		select {
		case n := <-ch:
			s.applyNotice(n)
		default:
			return
		}
	}
}
