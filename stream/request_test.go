package stream

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/twin"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name   string
		msg    string
		err    error
		typ    string
		layers []twin.Layer
		bbox   *orb.Bound
		token  string
	}{
		{name: "subscribe", msg: `{"type":"subscribe","layers":["vehicles","people","people"]}`,
			typ: typeSubscribe, layers: []twin.Layer{"people", "vehicles"}},
		{name: "bbox and token", msg: `{"type":"subscribe","layers":["alarms"],"bbox":[121,31,121.5,31.5],"token":"t"}`,
			typ: typeSubscribe, layers: []twin.Layer{"alarms"}, bbox: &orb.Bound{Min: orb.Point{121, 31}, Max: orb.Point{121.5, 31.5}}, token: "t"},
		{name: "null bbox", msg: `{"type":"subscribe","layers":["people"],"bbox":null}`, typ: typeSubscribe, layers: []twin.Layer{"people"}},
		{name: "point bbox", msg: `{"type":"subscribe","layers":["people"],"bbox":[1,2,1,2]}`,
			typ: typeSubscribe, layers: []twin.Layer{"people"}, bbox: &orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{1, 2}}},
		{name: "whole world", msg: `{"type":"subscribe","layers":["people"],"bbox":[-180,-90,180,90]}`,
			typ: typeSubscribe, layers: []twin.Layer{"people"}, bbox: &orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}},
		{name: "unknown fields pass", msg: `{"type":"resync","later":1}`, typ: typeResync},
		{name: "resync", msg: ` {"type":"resync"} `, typ: typeResync},
		{name: "empty", msg: ``, err: ErrMalformed},
		{name: "null", msg: `null`, err: ErrUnknownType},
		{name: "string", msg: `"subscribe"`, err: ErrMalformed},
		{name: "trailing", msg: `{"type":"resync"}{}`, err: ErrMalformed},
		{name: "type number", msg: `{"type":1}`, err: ErrMalformed},
		{name: "bbox strings", msg: `{"type":"subscribe","layers":["people"],"bbox":["1","2","3","4"]}`, err: ErrMalformed},
		{name: "NaN literal", msg: `{"type":"subscribe","layers":["people"],"bbox":[NaN,0,1,1]}`, err: ErrMalformed},
		{name: "upper case type", msg: `{"type":"Subscribe","layers":["people"]}`, err: ErrUnknownType},
		{name: "missing layers", msg: `{"type":"subscribe"}`, err: ErrBadLayers},
		{name: "layer case", msg: `{"type":"subscribe","layers":["People"]}`, err: ErrBadLayers},
		{name: "empty layer", msg: `{"type":"subscribe","layers":[""]}`, err: ErrBadLayers},
		{name: "bbox of 6", msg: `{"type":"subscribe","layers":["people"],"bbox":[0,0,0,1,1,1]}`, err: ErrBadBBox},
		{name: "empty bbox", msg: `{"type":"subscribe","layers":["people"],"bbox":[]}`, err: ErrBadBBox},
		{name: "lat over 90", msg: `{"type":"subscribe","layers":["people"],"bbox":[0,0,1,90.5]}`, err: ErrBadBBox},
		{name: "antimeridian", msg: `{"type":"subscribe","layers":["people"],"bbox":[179,0,-179,1]}`, err: ErrBadBBox},
		{name: "min lat over max", msg: `{"type":"subscribe","layers":["people"],"bbox":[0,2,1,1]}`, err: ErrBadBBox},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := parseRequest([]byte(tc.msg))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.typ != tc.typ || req.token != tc.token || !slices.Equal(req.sub.layers, tc.layers) {
				t.Errorf("got %+v", req)
			}
			if (req.sub.bbox == nil) != (tc.bbox == nil) || (tc.bbox != nil && *req.sub.bbox != *tc.bbox) {
				t.Errorf("bbox %v, want %v", req.sub.bbox, tc.bbox)
			}
		})
	}
}

func TestSubscriptionKey(t *testing.T) {
	a, _ := newSubscription([]string{"people", "vehicles"}, []float64{1, 2, 3, 4})
	b, _ := newSubscription([]string{"vehicles", "people", "people"}, []float64{1, 2, 3, 4})
	c, _ := newSubscription([]string{"vehicles", "people"}, []float64{1, 2, 3, 4.5})
	d, _ := newSubscription([]string{"vehicles", "people"}, nil)
	if a.key != b.key {
		t.Errorf("same subscription, keys %q and %q", a.key, b.key)
	}
	if a.key == c.key || a.key == d.key || c.key == d.key {
		t.Errorf("different subscriptions share a key: %q %q %q", a.key, c.key, d.key)
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "p0001", `quo"te\back`, "tab\tnl\n\x00\x1f", "中文 id", "\u2028\u2029", "bad\xffutf8", "<&>"} {
		enc := appendString(nil, s)
		var got string
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Errorf("%q encoded as %s: %v", s, enc, err)
			continue
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); got != want {
			t.Errorf("%q round-trips to %q", s, got)
		}
	}
}

func TestAppendFixed(t *testing.T) {
	tests := []struct {
		v    float64
		prec int
		want string
	}{
		{121.000412345678, 7, "121.0004123"},
		{121.00041235, 7, "121.0004124"}, // the float64 nearest 121.00041235 lies just above it
		{31, 7, "31"},
		{-0.00000001, 7, "0"},
		{1.5, 3, "1.5"},
		{math.NaN(), 3, "null"},
		{math.Inf(1), 3, "null"},
	}
	for _, tc := range tests {
		if got := string(appendFixed(nil, tc.v, tc.prec)); got != tc.want {
			t.Errorf("appendFixed(%v, %d) = %s, want %s", tc.v, tc.prec, got, tc.want)
		}
	}
}

// FuzzClientMessage checks the inbound parser: no panics, every error is
// one of the sentinels, and an accepted subscription is valid and stable.
func FuzzClientMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"subscribe","layers":["people","vehicles","gas_detectors","alarms"],"bbox":[121,31,121.01,31.01],"token":"abc"}`,
		`{"type":"subscribe","layers":["people"]}`,
		`{"type":"resync"}`,
		`{"type":"subscribe","layers":["people"],"bbox":[2,0,1,1]}`,
		`{"type":"subscribe","layers":["nope"],"bbox":[0,0,1e308,1]}`,
		`{"type":"subscribe","layers":[],"bbox":[-180,-90,180,90]}`,
		`{"type":"subscribe","layers":null,"bbox":[1e400,0,1,1]}`,
		`{"type":"hello"}`, `[]`, `null`, `{"type":"subscribe","layers":"people"}`, "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	sentinels := []error{ErrMalformed, ErrUnknownType, ErrBadLayers, ErrBadBBox}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := parseRequest(data)
		if err != nil {
			if !slices.ContainsFunc(sentinels, func(s error) bool { return errors.Is(err, s) }) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("error message is not UTF-8: %q", err.Error())
			}
			return
		}
		if req.typ != typeResync && req.typ != typeSubscribe {
			t.Fatalf("accepted type %q", req.typ)
		}
		if req.typ == typeResync {
			return
		}
		checkSubscription(t, req.sub)
		again, err := parseRequest(data)
		if err != nil || again.sub.key != req.sub.key {
			t.Fatalf("second parse: %v, key %q vs %q", err, again.sub.key, req.sub.key)
		}
	})
}

func checkSubscription(t *testing.T, s subscription) {
	t.Helper()
	if len(s.layers) == 0 || !slices.IsSorted(s.layers) || len(slices.Compact(slices.Clone(s.layers))) != len(s.layers) {
		t.Fatalf("layers %v: want sorted, unique, not empty", s.layers)
	}
	for _, l := range s.layers {
		if _, ok := twin.LayerByID(l); !ok || !s.has(l) {
			t.Fatalf("layer %q accepted", l)
		}
	}
	if b := s.bbox; b != nil {
		for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("bbox %v not finite", b)
			}
		}
		if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			t.Fatalf("bbox %v accepted", b)
		}
	}
}
