package video

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

func TestSees(t *testing.T) {
	// Looking east (90°) with a 60° wedge and 50 m of range from the origin.
	c := Camera{ID: "C", HeadingDeg: 90, FOVDeg: 60, RangeM: 50}
	for _, tc := range []struct {
		x, y float64
		ok   bool
	}{
		{30, 0, true},    // on the axis
		{30, 17, true},   // 29.5° off the axis
		{30, 18, false},  // 31° off
		{49.9, 0, true},  // at range
		{50.1, 0, false}, // beyond
		{-10, 0, false},  // behind
		{0, 0, true},     // under the camera
	} {
		if _, ok := c.Sees(tc.x, tc.y); ok != tc.ok {
			t.Errorf("(%v, %v): sees %v, want %v", tc.x, tc.y, ok, tc.ok)
		}
	}
	// A wedge across north: heading 350°, ±30°.
	n := Camera{ID: "N", HeadingDeg: 350, FOVDeg: 60, RangeM: 50}
	if _, ok := n.Sees(5, 20); !ok { // bearing 14°
		t.Error("a wedge across north misses a point at 14°")
	}
	// A PTZ camera sees behind itself, but must turn.
	p := Camera{ID: "P", HeadingDeg: 90, FOVDeg: 60, RangeM: 50, PTZ: true}
	cv, ok := p.Sees(-10, 0)
	if !ok || cv.InView || math.Abs(cv.BearingDeg-270) > 1e-9 || math.Abs(cv.DistanceM-10) > 1e-9 {
		t.Errorf("PTZ behind: %+v %v", cv, ok)
	}
}

func TestCoveringOrder(t *testing.T) {
	cams := []Camera{
		{ID: "far", X: -40, HeadingDeg: 90, FOVDeg: 60, RangeM: 100},
		{ID: "near", X: -10, HeadingDeg: 90, FOVDeg: 60, RangeM: 100},
		{ID: "ptz", X: 5, HeadingDeg: 90, FOVDeg: 60, RangeM: 100, PTZ: true}, // nearest, but must turn
		{ID: "blind", X: 10, HeadingDeg: 90, FOVDeg: 60, RangeM: 100},         // looks away
	}
	got := Covering(cams, 0, 0)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.CameraID)
	}
	if len(ids) != 3 || ids[0] != "near" || ids[1] != "far" || ids[2] != "ptz" {
		t.Fatalf("covering %v, want near, far, ptz", ids)
	}
}

func TestHandOver(t *testing.T) {
	f, _ := geo.NewFrame(orb.Point{106.6, 38.1}, 1200, 0)
	cams := []Camera{
		{ID: "W", X: 0, Y: -5, HeadingDeg: 0, FOVDeg: 90, RangeM: 60, StreamURL: "rtsp://w"},
		{ID: "E", X: 100, Y: -5, HeadingDeg: 0, FOVDeg: 90, RangeM: 60},
	}
	// Walk along y = 20 from x = -10 to x = 140 at 10 m per fix: W sees
	// x ≤ ~25 (its ±45° wedge at 25 m), E from ~75 to ~125; nothing
	// between and beyond.
	var track []Fix
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	for i := range 16 {
		track = append(track, Fix{At: t0.Add(time.Duration(i) * 10 * time.Second), Point: f.Point(-10+float64(i)*10, 20)})
	}
	segs := HandOver(cams, f, track)
	var got []string
	for _, s := range segs {
		got = append(got, s.CameraID)
	}
	want := []string{"W", "", "E", ""}
	if len(got) != len(want) {
		t.Fatalf("hand-over %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("hand-over %q, want %q", got, want)
		}
	}
	if segs[0].StreamURL != "rtsp://w" || !segs[0].From.Equal(t0) || segs[0].Fixes != 4 {
		t.Errorf("first segment %+v", segs[0])
	}
}

func TestDemoCamerasSeeTheirTargets(t *testing.T) {
	sc, err := scenes.Load(scenes.Demo())
	if err != nil {
		t.Fatal(err)
	}
	s := twin.New(twin.Options{SiteID: sc.Site.ID, Frame: sc.Frame})
	if err := s.Apply(sc.Changes()...).Err(); err != nil {
		t.Fatal(err)
	}
	l := NewLinker(s)
	var cams []Camera
	s.View(func(tx twin.Tx) { cams = Cameras(tx, s.Frame()) })
	if len(cams) != 26 {
		t.Fatalf("%d demo cameras, want 26", len(cams))
	}
	for _, c := range cams {
		if c.StreamURL == "" {
			t.Errorf("camera %s has no stream_url", c.ID)
		}
		// A point 10 m along the axis is seen by the camera itself.
		h := c.HeadingDeg * math.Pi / 180
		p := s.Frame().FastPoint(c.X+10*math.Sin(h), c.Y+10*math.Cos(h))
		found := false
		for _, cv := range l.At(p) {
			found = found || cv.CameraID == c.ID && cv.InView
		}
		if !found {
			t.Errorf("camera %s does not see 10 m along its own axis", c.ID)
		}
	}
}
