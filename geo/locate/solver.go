package locate

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// Errors of the solver. A rejected report leaves the tag's state unchanged.
var (
	// ErrNoBeacons: no beacon of the report is a beacon of the map.
	ErrNoBeacons = errors.New("locate: no known beacon heard")
	// ErrBadReport: a report with an empty tag, a zero time, a NaN or
	// out-of-range RSSI, or too many entries.
	ErrBadReport = errors.New("locate: bad report")
	// ErrBadPosition: a position fix that is not a finite lon/lat, or a bad
	// accuracy or floor.
	ErrBadPosition = errors.New("locate: bad position")
	// ErrOutOfOrder: a report not newer than the tag's last one.
	ErrOutOfOrder = errors.New("locate: report out of order")
	// ErrOptions: options out of range.
	ErrOptions = errors.New("locate: bad options")
	// ErrDiverged: the filter produced a non-finite state (a bug, never
	// expected); the tag's track restarts with its next report.
	ErrDiverged = errors.New("locate: filter diverged")
)

// Limits of the input.
const (
	MinRSSI   = -150.0 // dBm; anything lower is not a received signal
	MaxRSSI   = 20.0   // dBm
	MaxObs    = 1024   // entries of one report
	MaxFloor  = 999
	maxSigmaM = 10000.0
	// MaxReachM is how far from the plant frame's origin a position may
	// lie: a site is a few kilometres across, and the frame's local plane
	// is no longer a map far beyond (a fix thousands of km off came back
	// as latitude −130°, found by FuzzSolveRSSI).
	MaxReachM = 50_000.0
)

// Options configure a Solver. The zero value of each field is its default.
type Options struct {
	// PathLossExp is the path-loss exponent n of the site; default
	// DefaultPathLossExp (2.2).
	PathLossExp float64
	// ShadowingDB is the standard deviation of RSSI about the model, dB;
	// default DefaultShadowingDB (4).
	ShadowingDB float64
	// TagHeightM is the tag's height above the floor; default
	// DefaultTagHeightM (1.2 m).
	TagHeightM float64
	// MaxBeacons is the most beacons one solve uses: those nearest to the
	// filter's prediction (not the strongest, which would bias the solve
	// towards the beacons whose noise happened to be positive); a first fix
	// uses up to 64, the strongest. Default 16, at least 3, at most 64.
	MaxBeacons int
	// SnapM is how far from an outdoor walkway an estimate is still pulled
	// onto it; default 5 m; negative: never.
	SnapM float64
	// MaxGap is the silence after which a tag's filter starts afresh;
	// default 30 s.
	MaxGap time.Duration
	// FloorLossDB is the attenuation of one floor slab between a tag and an
	// indoor beacon on another floor of its building, dB (site calibration:
	// ~15 dB for reinforced concrete at 2.4 GHz). Zero models free space
	// between floors, as the AQ 3064.3 Annex A simulation channel has it.
	FloorLossDB float64
}

// Defaults of Options.
const (
	DefaultMaxBeacons = 16
	DefaultSnapM      = 5.0
	DefaultMaxGap     = 30 * time.Second
	maxBeaconsLimit   = 64
)

// Validate reports options out of range.
func (o Options) Validate() error {
	switch {
	case !(o.PathLossExp == 0 || o.PathLossExp >= 1 && o.PathLossExp <= 6):
		return fmt.Errorf("%w: PathLossExp %v, want 1–6", ErrOptions, o.PathLossExp)
	case !(o.ShadowingDB == 0 || o.ShadowingDB > 0 && o.ShadowingDB <= 20):
		return fmt.Errorf("%w: ShadowingDB %v, want (0, 20]", ErrOptions, o.ShadowingDB)
	case !(o.TagHeightM == 0 || o.TagHeightM > 0 && o.TagHeightM <= 10):
		return fmt.Errorf("%w: TagHeightM %v, want (0, 10]", ErrOptions, o.TagHeightM)
	case o.MaxBeacons != 0 && (o.MaxBeacons < 3 || o.MaxBeacons > maxBeaconsLimit):
		return fmt.Errorf("%w: MaxBeacons %d, want 3–%d", ErrOptions, o.MaxBeacons, maxBeaconsLimit)
	case math.IsNaN(o.SnapM) || o.SnapM > 100:
		return fmt.Errorf("%w: SnapM %v, want ≤ 100", ErrOptions, o.SnapM)
	case o.MaxGap < 0:
		return fmt.Errorf("%w: MaxGap %v", ErrOptions, o.MaxGap)
	case !(o.FloorLossDB >= 0 && o.FloorLossDB <= 40):
		return fmt.Errorf("%w: FloorLossDB %v, want 0–40", ErrOptions, o.FloorLossDB)
	}
	return nil
}

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.PathLossExp, DefaultPathLossExp)
	def(&o.ShadowingDB, DefaultShadowingDB)
	def(&o.TagHeightM, DefaultTagHeightM)
	def(&o.SnapM, DefaultSnapM)
	if o.MaxBeacons == 0 {
		o.MaxBeacons = DefaultMaxBeacons
	}
	if o.MaxGap == 0 {
		o.MaxGap = DefaultMaxGap
	}
	return o
}

// Obs is one beacon heard in a report.
type Obs struct {
	ID   string
	RSSI float64 // dBm
}

// Fix is a solved position of a tag.
type Fix struct {
	Point    orb.Point  // [lon, lat] degrees
	XY       [2]float64 // plant x, y metres
	Z        float64    // metres above the site's ground: floor base + tag height
	Floor    int        // 0 outdoors, 1 the ground floor
	Building string     // the building the tag is in, "" outdoors
	SpeedMS  float64
	// AccuracyM is the filter's horizontal 1σ radius, √(σx² + σy²).
	AccuracyM float64
	At        time.Time
	// Beacons is how many beacons the solve used; Unknown how many entries
	// of the report the map does not know (skipped). Unknown is also set
	// on an ErrNoBeacons error.
	Beacons, Unknown int
}

// Twin returns the fix as the twin's position fix (what a twin.Move
// carries).
func (f Fix) Twin() twin.Fix {
	return twin.Fix{Point: f.Point, Z: f.Z, Floor: f.Floor, SpeedMS: f.SpeedMS, At: f.At}
}

// Solver keeps one filter per tag and solves reports into Fixes. It is
// safe for concurrent use (see the package comment).
type Solver struct {
	m      *Map
	o      Options
	pl     PathLoss
	mo     motion
	shards [numShards]shard
}

const numShards = 64

type shard struct {
	mu   sync.Mutex
	tags map[string]*entry
}

// NewSolver returns a solver on map m.
func NewSolver(m *Map, o Options) (*Solver, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: no map", ErrOptions)
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	s := &Solver{m: m, o: o, pl: NewPathLoss(o.PathLossExp, o.ShadowingDB), mo: defaultMotion}
	s.pl.FloorLossDB = o.FloorLossDB
	for i := range s.shards {
		s.shards[i].tags = make(map[string]*entry)
	}
	return s, nil
}

// Map returns the solver's map.
func (s *Solver) Map() *Map { return s.m }

// RSSI solves one report of tag at time at: the beacons it heard. Entries
// the map does not know are skipped and counted in Fix.Unknown.
func (s *Solver) RSSI(tag string, at time.Time, obs []Obs) (Fix, error) {
	if err := checkReport(tag, at); err != nil {
		return Fix{}, err
	}
	if len(obs) > MaxObs {
		return Fix{}, fmt.Errorf("%w: %d beacons, at most %d", ErrBadReport, len(obs), MaxObs)
	}
	var buf [maxBeaconsLimit]heard
	hs, unknown, err := s.resolve(obs, buf[:0])
	if err != nil {
		return Fix{}, err
	}
	if len(hs) == 0 {
		return Fix{Unknown: unknown}, fmt.Errorf("%w: %d of %d unknown", ErrNoBeacons, unknown, len(obs))
	}
	e := s.entry(tag)
	e.mu.Lock()
	defer e.mu.Unlock()
	dt, err := e.t.advance(at, s.o.MaxGap)
	if err != nil {
		return Fix{}, err
	}
	f := e.t.solveRSSI(s, hs, dt)
	f.Unknown = unknown
	return e.t.check(f)
}

// Position passes a position fix of tag (a UWB or GNSS tag, or any other
// positioning system) at time at through the tag's filter: p is [lon, lat],
// floor 0 outdoors or unknown, sigmaM the fix's 1σ horizontal accuracy.
func (s *Solver) Position(tag string, at time.Time, p orb.Point, floor int, sigmaM float64) (Fix, error) {
	if err := checkReport(tag, at); err != nil {
		return Fix{}, err
	}
	switch {
	case !geo.ValidLonLat(p):
		return Fix{}, fmt.Errorf("%w: %v is not a lon/lat", ErrBadPosition, p)
	case !(sigmaM > 0 && sigmaM <= maxSigmaM):
		return Fix{}, fmt.Errorf("%w: accuracy %v m, want (0, %v]", ErrBadPosition, sigmaM, maxSigmaM)
	case floor < -MaxFloor || floor > MaxFloor:
		return Fix{}, fmt.Errorf("%w: floor %d", ErrBadPosition, floor)
	}
	x, y := s.m.frame.FastLocal(p)
	if d := math.Hypot(x, y); !(d <= MaxReachM) {
		return Fix{}, fmt.Errorf("%w: %v is %.0f km from the site (at most %.0f km)", ErrBadPosition, p, d/1000, MaxReachM/1000)
	}
	e := s.entry(tag)
	e.mu.Lock()
	defer e.mu.Unlock()
	dt, err := e.t.advance(at, s.o.MaxGap)
	if err != nil {
		return Fix{}, err
	}
	return e.t.check(e.t.solvePosition(s, [2]float64{x, y}, floor, sigmaM, dt))
}

func checkReport(tag string, at time.Time) error {
	switch {
	case tag == "":
		return fmt.Errorf("%w: empty tag", ErrBadReport)
	case at.IsZero():
		return fmt.Errorf("%w: no time", ErrBadReport)
	}
	return nil
}

// resolve looks the report's beacons up and keeps the strongest cap(out)
// (64), sorted strongest first.
func (s *Solver) resolve(obs []Obs, out []heard) ([]heard, int, error) {
	unknown := 0
	for i, o := range obs {
		if !(o.RSSI >= MinRSSI && o.RSSI <= MaxRSSI) {
			return nil, 0, fmt.Errorf("%w: beacons[%d] %q rssi %v, want %v…%v dBm", ErrBadReport, i, o.ID, o.RSSI, MinRSSI, MaxRSSI)
		}
		bi, ok := s.m.byID[o.ID]
		if !ok {
			unknown++
			continue
		}
		b := &s.m.beacons[bi]
		h := heard{xy: b.XY, z: b.Z, rssi: o.RSSI, rssi1m: b.RSSI1m, floor: b.Floor, bld: s.m.bldOf[bi]}
		if h.bld >= 0 {
			h.fh = s.m.buildings[h.bld].FloorHeightM
		}
		out = insertStrongest(out, h)
	}
	return out, unknown, nil
}

// insertStrongest inserts h into hs (strongest first, relative to each
// beacon's 1 m power), dropping the weakest when hs is at capacity.
func insertStrongest(hs []heard, h heard) []heard {
	n := len(hs)
	if n == cap(hs) {
		if n == 0 || h.rssi-h.rssi1m <= hs[n-1].rssi-hs[n-1].rssi1m {
			return hs
		}
		n--
	}
	hs = hs[:n+1]
	i := n
	for i > 0 && hs[i-1].rssi-hs[i-1].rssi1m < h.rssi-h.rssi1m {
		hs[i] = hs[i-1]
		i--
	}
	hs[i] = h
	return hs
}

// entry returns tag's state, creating it.
func (s *Solver) entry(tag string) *entry {
	sh := &s.shards[fnv(tag)%numShards]
	sh.mu.Lock()
	e := sh.tags[tag]
	if e == nil {
		e = &entry{}
		sh.tags[tag] = e
	}
	sh.mu.Unlock()
	return e
}

func fnv(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// Forget drops tag's state (a tag taken out of service).
func (s *Solver) Forget(tag string) {
	sh := &s.shards[fnv(tag)%numShards]
	sh.mu.Lock()
	delete(sh.tags, tag)
	sh.mu.Unlock()
}

// Prune drops the state of tags whose last report is before cutoff and
// returns how many it dropped. A tag reporting again starts afresh.
func (s *Solver) Prune(cutoff time.Time) int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for tag, e := range sh.tags {
			e.mu.Lock()
			old := e.t.last.Before(cutoff)
			e.mu.Unlock()
			if old {
				delete(sh.tags, tag)
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// Tags returns the number of tags with state.
func (s *Solver) Tags() int {
	n := 0
	for i := range s.shards {
		s.shards[i].mu.Lock()
		n += len(s.shards[i].tags)
		s.shards[i].mu.Unlock()
	}
	return n
}
