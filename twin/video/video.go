// Package video links the twin to the plant's cameras (视频联动): which
// cameras see a place — an alarm's position, a person's fix — and the
// camera hand-over sequence along a track, so that an operator opening an
// alarm gets the right stream at once and can follow a person from camera
// to camera (AQ 3064.3-2025: CCTV linkage follows the person).
//
// A camera (scene kind camera) sees a point when the point lies within its
// range_m (default 50 m) and inside its horizontal field of view, the
// wedge of fov_deg (default 60°) about heading_deg (clockwise from north).
// A PTZ camera can turn: it covers its whole range circle, and a point
// outside its current wedge is listed with InView false (the operator
// calls a preset). Occlusion by buildings is not modelled. The geometry is
// worked in the plant frame (metres), with bearings measured from north
// like heading_deg.
package video

import (
	"cmp"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// Defaults of a camera's optics when the scene leaves them out (the scene
// format's documented defaults).
const (
	DefaultFOVDeg = 60.0
	DefaultRangeM = 50.0
)

// Camera is one camera's optics in the plant frame.
type Camera struct {
	ID, Name, NameEn string
	StreamURL        string
	X, Y             float64 // plant metres
	HeadingDeg       float64 // clockwise from north
	FOVDeg, RangeM   float64
	PTZ              bool
}

// Cover is a camera that sees a point.
type Cover struct {
	CameraID  string  `json:"camera_id"`
	Name      string  `json:"name"`
	NameEn    string  `json:"name_en,omitempty"`
	StreamURL string  `json:"stream_url,omitempty"`
	DistanceM float64 `json:"distance_m"`
	// BearingDeg is the direction from the camera to the point, clockwise
	// from north: the pan a PTZ camera needs.
	BearingDeg float64 `json:"bearing_deg"`
	PTZ        bool    `json:"ptz,omitempty"`
	// InView is false for a PTZ camera that must turn to see the point.
	InView bool `json:"in_view"`
}

// Cameras reads the scene's cameras with their optics. The frame is the
// plant frame (Scene.Frame()).
func Cameras(tx twin.Tx, f *geo.Frame) []Camera {
	var out []Camera
	tx.Kind(twin.KindCamera, func(e *twin.Entity) bool {
		if !e.Placed() {
			return true
		}
		x, y := f.FastLocal(e.Point())
		c := Camera{
			ID: e.ID, Name: e.Name, NameEn: e.String("name_en"), StreamURL: e.String("stream_url"), X: x, Y: y,
			HeadingDeg: e.Float("heading_deg", 0), FOVDeg: e.Float("fov_deg", DefaultFOVDeg),
			RangeM: e.Float("range_m", DefaultRangeM), PTZ: e.Props["ptz"] == true,
		}
		if c.FOVDeg <= 0 || c.FOVDeg > 360 || c.RangeM <= 0 || math.IsNaN(c.HeadingDeg) {
			return true // unusable optics: the scene validator reports them
		}
		out = append(out, c)
		return true
	})
	slices.SortFunc(out, func(a, b Camera) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Sees reports whether c sees the plant point (x, y): within range, and
// inside the wedge (or anywhere in range for a PTZ camera, with inView
// telling whether it must turn). ok is false when it cannot see it at all.
func (c Camera) Sees(x, y float64) (cv Cover, ok bool) {
	dx, dy := x-c.X, y-c.Y
	d := math.Hypot(dx, dy)
	if d > c.RangeM {
		return Cover{}, false
	}
	bearing := math.Mod(math.Atan2(dx, dy)*180/math.Pi+360, 360) // from north, clockwise
	off := math.Abs(math.Mod(bearing-c.HeadingDeg+540, 360) - 180)
	inView := d < 0.5 || c.FOVDeg >= 360 || off <= c.FOVDeg/2
	if !inView && !c.PTZ {
		return Cover{}, false
	}
	return Cover{CameraID: c.ID, Name: c.Name, NameEn: c.NameEn, StreamURL: c.StreamURL, DistanceM: d, BearingDeg: bearing, PTZ: c.PTZ, InView: inView}, true
}

// Covering returns the cameras that see the plant point (x, y): those
// with the point in view first, then by distance, then id.
func Covering(cams []Camera, x, y float64) []Cover {
	var out []Cover
	for _, c := range cams {
		if cv, ok := c.Sees(x, y); ok {
			out = append(out, cv)
		}
	}
	slices.SortFunc(out, func(a, b Cover) int {
		if a.InView != b.InView {
			if a.InView {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.DistanceM, b.DistanceM); c != 0 {
			return c
		}
		return cmp.Compare(a.CameraID, b.CameraID)
	})
	return out
}

// Linker answers coverage questions on a scene. It keeps the cameras
// (tens to hundreds of them) and re-reads them when a result of the scene
// changes one (register Observe with Scene.Observe), so that a question
// — asked for every alarm — never takes the scene's lock. It is safe for
// concurrent use.
type Linker struct {
	scene *twin.Scene
	frame *geo.Frame
	cams  atomic.Pointer[[]Camera]
}

// NewLinker returns a Linker for a scene with a plant frame, or nil when
// the scene has none.
func NewLinker(s *twin.Scene) *Linker {
	if s.Frame() == nil {
		return nil
	}
	l := &Linker{scene: s, frame: s.Frame()}
	l.reload()
	return l
}

func (l *Linker) reload() {
	var cams []Camera
	l.scene.View(func(tx twin.Tx) { cams = Cameras(tx, l.frame) })
	l.cams.Store(&cams)
}

// Observe re-reads the cameras when a scene result adds, changes or
// removes one (live state such as an analytics event counts too: cheap at
// that rate).
func (l *Linker) Observe(r twin.Result) {
	for _, d := range r.Deltas {
		if d.Kind == twin.KindCamera && d.Op != twin.OpMove {
			l.reload()
			return
		}
	}
}

func (l *Linker) cameras() []Camera { return *l.cams.Load() }

// At returns the cameras that see the [lon, lat] point p, best first.
func (l *Linker) At(p orb.Point) []Cover {
	x, y := l.frame.FastLocal(p)
	return Covering(l.cameras(), x, y)
}

// Fix is one point of a track.
type Fix struct {
	At    time.Time
	Point orb.Point // [lon, lat]
}

// Segment is a stretch of a track one camera watches: the hand-over
// sequence is a list of them. CameraID "" is a stretch no camera sees.
type Segment struct {
	CameraID  string    `json:"camera_id"`
	Name      string    `json:"name,omitempty"`
	StreamURL string    `json:"stream_url,omitempty"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Fixes     int       `json:"fixes"`
}

// HandOver turns a track (fixes in time order) into the camera hand-over
// sequence: at each fix the camera to watch is the one already watching
// if it still has the point in view (no needless switching), else the
// best camera seeing it; consecutive fixes with the same camera form one
// segment.
func (l *Linker) HandOver(track []Fix) []Segment {
	return HandOver(l.cameras(), l.frame, track)
}

// HandOver is Linker.HandOver on a given camera set.
func HandOver(cams []Camera, f *geo.Frame, track []Fix) []Segment {
	byID := make(map[string]Camera, len(cams))
	for _, c := range cams {
		byID[c.ID] = c
	}
	var out []Segment
	cur := ""
	for _, fx := range track {
		x, y := f.FastLocal(fx.Point)
		next := ""
		if c, ok := byID[cur]; ok {
			if cv, ok := c.Sees(x, y); ok && cv.InView {
				next = cur
			}
		}
		if next == "" {
			if cv := Covering(cams, x, y); len(cv) > 0 {
				next = cv[0].CameraID
			}
		}
		if n := len(out); n > 0 && out[n-1].CameraID == next {
			out[n-1].To = fx.At
			out[n-1].Fixes++
		} else {
			c := byID[next]
			out = append(out, Segment{CameraID: next, Name: c.Name, StreamURL: c.StreamURL, From: fx.At, To: fx.At, Fixes: 1})
		}
		cur = next
	}
	return out
}
