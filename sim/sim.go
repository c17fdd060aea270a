package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// ErrScene is returned by New for a scene the simulator cannot run.
var ErrScene = errors.New("sim: unusable scene")

// ErrOptions is returned by New for options out of range.
var ErrOptions = errors.New("sim: bad options")

// DefaultTick is Run's default wall-clock tick: fine enough that every
// 2 s position and 1 s reading goes out within a fifth of a second of its
// timestamp.
const DefaultTick = 200 * time.Millisecond

// Options configure a simulator. The zero value of each field is its
// default.
type Options struct {
	// SiteID is the {site} level of the topics; default the scene's site id.
	SiteID string
	// Seed seeds every random stream; the same seed and the same sequence of
	// Step times give byte-identical messages.
	Seed uint64
	// Start is simulation time zero; default the time of the first Step.
	Start time.Time
	// Frame converts plant metres to lon/lat; default the scene's frame, else
	// a frame at the centre of the site.
	Frame *geo.Frame
	// Episodes turns on the scripted incidents (leaks through a detector's
	// level-1 setpoint, SOS presses, low batteries, camera events) that make
	// a demo plant show alarms. Off by default: a quiet plant.
	Episodes bool
	// BLEShare is the share of the people (0–1) whose tags are BLE tags,
	// reporting the beacons they hear on …/tags/{tag}/rssi instead of
	// positions (ble.go); they are drawn with the seed. Default
	// DefaultBLEShare (0.3); negative: none. A scene without beacons has
	// no BLE tags.
	BLEShare float64
	// FloorLossDB is the BLE loss per floor slab between a tag and an
	// indoor beacon on another floor, dB; default DefaultFloorLossDB (15);
	// negative: free space between floors. The service passes the site's
	// ble_floor_loss_db, the value its positioning solver assumes.
	FloorLossDB float64
	// Releases are scripted gas releases played into the detectors'
	// readings (release.go; Scenario returns the named ones). They are
	// independent of Episodes.
	Releases []Release
	// Location is the local time of the weather's diurnal cycle; default
	// the site's timezone property, else Asia/Shanghai (UTC+8 when the time
	// zone database is missing).
	Location *time.Location
	// Notices makes Run subscribe, through a Publisher that can
	// (MQTTPublisher), to the tags' notify topics
	// (chemtwin/{site}/tags/+/notify): the simulated people then
	// acknowledge and obey the evacuation orders chemtwin sends them
	// (evacuate.go; Notice is the same without a broker). Off by default.
	Notices bool
	// Tick is Run's wall-clock period; default DefaultTick.
	Tick time.Duration
	// Clock is the time Run steps to at each tick; default time.Now.
	Clock func() time.Time
	// Logger receives Run's warnings; default slog.Default().
	Logger *slog.Logger
	// Registerer receives Run's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Message is one MQTT publication.
type Message struct {
	Topic   string
	Payload []byte
	QoS     byte
}

// emitter is a source of periodic messages: a tag, a detector, a weather
// station, the camera-event schedule.
type emitter interface {
	// emit returns the message due at ms (epoch milliseconds), whether there
	// is one, and when the emitter is next due.
	emit(ms int64) (msg Message, ok bool, next int64)
}

// stream is an emitter in the schedule.
type stream struct {
	em     emitter
	next   int64 // epoch ms
	period int64 // ms; 0 for an irregular emitter
}

// Sim is the plant simulator. Its core, Step, is a pure function of the
// scene read at New, the options and the sequence of Step times. A Sim is
// not safe for concurrent use: one goroutine (Run's) steps it.
type Sim struct {
	opts     Options
	log      *slog.Logger
	m        *model
	streams  []stream
	heap     []int32 // stream indices ordered by (next, index)
	ep       *episodes
	releases []*release
	crowd    *crowd
	ev       *evacuations // the people's answer to evacuation orders (evacuate.go)
	metrics  *metrics
	started  bool
	t0       int64 // epoch ms of simulation time zero
	last     int64 // epoch ms of the last Step
	counts   Counts
	skipped  int
}

// Counts says what a simulator runs.
type Counts struct {
	People, Vehicles, Detectors, Stations, Cameras int
	// BLE of the People have BLE tags (Options.BLEShare).
	BLE int
	// Skipped entities have no tag or an id that cannot be a topic level.
	Skipped int
}

// Counts returns the number of simulated entities of each kind.
func (s *Sim) Counts() Counts { return s.counts }

// maxLagMS is how late a periodic message may go out: after a longer stall
// (a paused process, a jump of the clock) a stream skips to the present
// instead of replaying the past.
const maxLagMS = 10_000

// New reads the scene and prepares the simulation. The scene is read once,
// under one read lock; the simulator never writes to it.
func New(s *twin.Scene, opts Options) (*Sim, error) {
	if opts.Tick < 0 {
		return nil, fmt.Errorf("%w: tick %v", ErrOptions, opts.Tick)
	}
	if math.IsNaN(opts.BLEShare) || opts.BLEShare > 1 {
		return nil, fmt.Errorf("%w: BLE share %v, want at most 1", ErrOptions, opts.BLEShare)
	}
	switch {
	case opts.BLEShare == 0:
		opts.BLEShare = DefaultBLEShare
	case opts.BLEShare < 0:
		opts.BLEShare = 0
	}
	switch {
	case math.IsNaN(opts.FloorLossDB) || opts.FloorLossDB > 40:
		return nil, fmt.Errorf("%w: floor loss %v dB, want at most 40", ErrOptions, opts.FloorLossDB)
	case opts.FloorLossDB == 0:
		opts.FloorLossDB = DefaultFloorLossDB
	case opts.FloorLossDB < 0:
		opts.FloorLossDB = 0
	}
	if opts.SiteID == "" {
		opts.SiteID = s.SiteID()
	}
	if !topicLevel(opts.SiteID) {
		return nil, fmt.Errorf("%w: site id %q is not a topic level", ErrOptions, opts.SiteID)
	}
	if opts.Tick == 0 {
		opts.Tick = DefaultTick
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	met, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	sim := &Sim{opts: opts, log: opts.Logger.With("component", "sim"), metrics: met}
	c := copyScene(s)
	if sim.opts.Location == nil {
		sim.opts.Location = siteLocation(c.site)
	}
	f, err := chooseFrame(opts.Frame, s, c)
	if err != nil {
		return nil, err
	}
	if sim.releases, err = resolveReleases(s, f, opts.Releases); err != nil {
		return nil, err
	}
	sim.m = newModel(s, c, f, opts, sim.log)
	sim.build(c)
	return sim, nil
}

// siteLocation returns the site's timezone, else Asia/Shanghai.
func siteLocation(site *twin.Entity) *time.Location {
	if site != nil {
		if tz := site.String("timezone"); tz != "" {
			if loc, err := time.LoadLocation(tz); err == nil {
				return loc
			}
		}
	}
	return shanghai()
}

// shanghai returns Asia/Shanghai, or a fixed UTC+8 zone (China keeps no
// daylight saving time) when the time zone database is missing.
func shanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// Step advances the simulation to now and returns the messages due in
// (previous Step, now], in time order. A now not after the previous one
// returns nothing. The messages' ts are their measurement times, so a
// subscriber sees a 2 s position cadence whatever the tick.
func (s *Sim) Step(now time.Time) []Message {
	ms := now.UnixMilli()
	if !s.started {
		s.begin(ms)
	}
	if ms <= s.last {
		return nil
	}
	s.ep.schedule(s.m.sec(ms))
	var out []Message
	for len(s.heap) > 0 {
		st := &s.streams[s.heap[0]]
		if st.next > ms {
			break
		}
		late := ms - st.next
		switch {
		case late > maxLagMS && st.period > 0:
			st.next += (late - maxLagMS + st.period - 1) / st.period * st.period
		default:
			msg, ok, next := st.em.emit(st.next)
			if ok && late <= maxLagMS {
				out = append(out, msg)
			}
			st.next = max(next, st.next+1)
		}
		s.down(0)
	}
	s.last = ms
	return out
}

// begin fixes simulation time zero and the first due time of each stream.
func (s *Sim) begin(ms int64) {
	s.started = true
	s.t0 = ms
	if !s.opts.Start.IsZero() {
		s.t0 = s.opts.Start.UnixMilli()
	}
	s.m.t0 = s.t0
	s.last = min(ms, s.t0) - 1
	for i := range s.streams {
		s.streams[i].next += s.t0 // phases were relative to time zero
	}
	s.heap = s.heap[:0]
	for i := range s.streams {
		s.heap = append(s.heap, int32(i))
		s.up(len(s.heap) - 1)
	}
}

func (s *Sim) less(i, j int) bool {
	a, b := &s.streams[s.heap[i]], &s.streams[s.heap[j]]
	return a.next < b.next || a.next == b.next && s.heap[i] < s.heap[j]
}

func (s *Sim) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			return
		}
		s.heap[i], s.heap[p] = s.heap[p], s.heap[i]
		i = p
	}
}

func (s *Sim) down(i int) {
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s.heap) && s.less(l, m) {
			m = l
		}
		if r < len(s.heap) && s.less(r, m) {
			m = r
		}
		if m == i {
			return
		}
		s.heap[i], s.heap[m] = s.heap[m], s.heap[i]
		i = m
	}
}
