package stream

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

// Errors of the inbound message parser. Each one answers the client with an
// error frame (code bad_request) and counts a rejection; the connection stays.
var (
	ErrMalformed   = errors.New("stream: malformed message")
	ErrUnknownType = errors.New("stream: unknown message type")
	ErrBadLayers   = errors.New("stream: bad layers")
	ErrBadBBox     = errors.New("stream: bad bbox")
	ErrNoSubscribe = errors.New("stream: no subscription yet")
	// ErrUnauthorized is returned by the hub when Options.Authorize refuses
	// a token; the client gets an error frame with code unauthorized and the
	// connection is closed with 1008 (policy violation).
	ErrUnauthorized = errors.New("stream: unauthorized")
)

// Client message types.
const (
	typeSubscribe = "subscribe"
	typeResync    = "resync"
)

// request is one parsed client message.
type request struct {
	typ   string
	sub   subscription // for subscribe
	token string
}

// wireRequest is a client message as sent.
type wireRequest struct {
	Type   string    `json:"type"`
	Layers []string  `json:"layers"`
	BBox   []float64 `json:"bbox"`
	Token  string    `json:"token"`
}

// parseRequest decodes and validates one client message. It never panics;
// every failure wraps one of the parser's sentinel errors.
func parseRequest(data []byte) (request, error) {
	var w wireRequest
	if err := json.Unmarshal(data, &w); err != nil {
		return request{}, fmt.Errorf("%w: %s", ErrMalformed, jsonProblem(err))
	}
	switch w.Type {
	case typeResync:
		return request{typ: typeResync, token: w.Token}, nil
	case typeSubscribe:
		sub, err := newSubscription(w.Layers, w.BBox)
		if err != nil {
			return request{}, err
		}
		return request{typ: typeSubscribe, sub: sub, token: w.Token}, nil
	}
	return request{}, fmt.Errorf("%w: %q (want subscribe or resync)", ErrUnknownType, clip(w.Type))
}

// jsonProblem describes a decoding error without exposing Go type names.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %q: got JSON %s", typ.Field, typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("want a JSON object, got %s", typ.Value)
	}
	return "invalid JSON"
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	for i := max; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}

// subscription is what a client asked for: layers and an optional bbox.
// Clients with equal keys share one group and one set of live frames.
type subscription struct {
	layers []twin.Layer // sorted, unique
	mask   uint64       // bit i set for twin.Layers[i]
	bbox   *orb.Bound   // nil: the whole plant
	key    string
}

// layerBits maps a layer id to its bit in subscription.mask.
var layerBits = func() map[twin.Layer]uint64 {
	m := make(map[twin.Layer]uint64, len(twin.Layers))
	for i, l := range twin.Layers {
		m[l.ID] = 1 << i
	}
	return m
}()

// newSubscription validates layers (twin layer ids, at least one) and bbox
// ([minLon, minLat, maxLon, maxLat], WGS84 degrees, min ≤ max).
func newSubscription(layers []string, bbox []float64) (subscription, error) {
	var s subscription
	if len(layers) == 0 {
		return s, fmt.Errorf("%w: give at least one layer", ErrBadLayers)
	}
	for _, id := range layers {
		bit, ok := layerBits[twin.Layer(id)]
		if !ok {
			return s, fmt.Errorf("%w: unknown layer %q", ErrBadLayers, clip(id))
		}
		if s.mask&bit == 0 {
			s.mask |= bit
			s.layers = append(s.layers, twin.Layer(id))
		}
	}
	slices.Sort(s.layers)
	if bbox != nil {
		b, err := parseBBox(bbox)
		if err != nil {
			return s, err
		}
		s.bbox = &b
	}
	s.key = s.makeKey()
	return s, nil
}

func parseBBox(v []float64) (orb.Bound, error) {
	if len(v) != 4 {
		return orb.Bound{}, fmt.Errorf("%w: want [minLon,minLat,maxLon,maxLat], got %d numbers", ErrBadBBox, len(v))
	}
	for i, x := range v {
		limit := 180.0
		if i%2 == 1 {
			limit = 90
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || x < -limit || x > limit {
			return orb.Bound{}, fmt.Errorf("%w: value %d (%v) is not a WGS84 degree in [-%g, %g]", ErrBadBBox, i, x, limit, limit)
		}
	}
	if v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, fmt.Errorf("%w: min must not exceed max", ErrBadBBox)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

func (s *subscription) makeKey() string {
	var b strings.Builder
	for i, l := range s.layers {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(l))
	}
	if s.bbox != nil {
		for _, x := range []float64{s.bbox.Min[0], s.bbox.Min[1], s.bbox.Max[0], s.bbox.Max[1]} {
			b.WriteByte('|')
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	return b.String()
}

// has reports whether the subscription includes layer l.
func (s *subscription) has(l twin.Layer) bool { return s.mask&layerBits[l] != 0 }

// alarms reports whether the subscription includes the alarms layer.
func (s *subscription) alarms() bool { return s.has(twin.LayerAlarms) }

// covers reports whether the [lon, lat] point p lies in the bbox.
func (s *subscription) covers(p orb.Point) bool { return s.bbox == nil || s.bbox.Contains(p) }

// shows reports whether an entity snapshot belongs in the subscription:
// its layer is subscribed and its bound meets the bbox (with a bbox,
// unplaced entities are left out).
func (s *subscription) shows(e *twin.Entity) bool {
	if !s.has(e.Kind.Layer()) {
		return false
	}
	return s.bbox == nil || (e.Placed() && s.bbox.Intersects(e.Bound()))
}

// rejectReason is the rejected_total label for a parser or auth error.
func rejectReason(err error) string {
	switch {
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrUnknownType):
		return "unknown_type"
	case errors.Is(err, ErrBadLayers):
		return "bad_layers"
	case errors.Is(err, ErrBadBBox):
		return "bad_bbox"
	case errors.Is(err, ErrNoSubscribe):
		return "no_subscription"
	case errors.Is(err, ErrUnauthorized):
		return "unauthorized"
	}
	return "other"
}
