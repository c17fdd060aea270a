package park

import (
	"encoding/json"
	"log/slog"
	"sort"
	"sync"

	"github.com/chemtwin/chemtwin/twin"
)

// Uploader pushes the plant's people, zones, positions and positioning
// alarms to a park platform. It is safe for concurrent use: ObserveScene and
// ObserveAlarm may be called from the scene's and the alarm manager's
// goroutines while Run pushes.
type Uploader struct {
	opts Options
	log  *slog.Logger
	m    *metrics
	kick chan struct{} // capacity 1: an alarm record is waiting

	pushMu sync.Mutex // one push at a time

	mu      sync.Mutex
	people  map[string]*personState
	zones   map[string]*zoneState
	removed map[string]uint64 // rev of removals seen before the seed (nil after)
	seeded  bool
	// gen counts changes of the person and zone tables; sent is the gen the
	// park last accepted (0: never, so the first push sends both).
	personGen, personSent uint64
	zoneGen, zoneSent     uint64
	pending               map[string]twin.Fix // positions waiting, latest per person
	acked                 map[string]fixKey   // the last position the park accepted
	alarms                map[string][]queued // by alarm table, in event order
	nalarms               int
	seq                   uint64
	dropped               map[string]int // since the last log line, by table
	more                  bool           // the last collect left records for another batch
}

type personState struct {
	rev  uint64
	rec  PersonRecord
	area string
}

type zoneState struct {
	rev     uint64
	rec     ZoneRecord
	runtime bool // created after the first snapshot: a temporary zone
}

type queued struct {
	seq uint64
	raw json.RawMessage
}

// New validates opts and returns an uploader. Register ObserveScene with
// twin.Scene.Observe and ObserveAlarm with alarm.Manager.Observe, then Run.
func New(opts Options) (*Uploader, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	u := &Uploader{
		opts: opts, log: opts.Logger.With("component", "park"), kick: make(chan struct{}, 1),
		people: make(map[string]*personState), zones: make(map[string]*zoneState),
		removed: make(map[string]uint64), personGen: 1, zoneGen: 1,
		pending: make(map[string]twin.Fix), acked: make(map[string]fixKey),
		alarms: make(map[string][]queued), dropped: make(map[string]int),
	}
	m, err := newMetrics(opts.Registerer, func() float64 { return float64(u.Queued()) })
	if err != nil {
		return nil, err
	}
	u.m = m
	return u, nil
}

// Queued returns the number of records waiting: positions and alarm records.
func (u *Uploader) Queued() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.pending) + u.nalarms
}

// trim enforces MaxQueue: the oldest positions go first; alarm records only
// when no position is left to drop. The caller holds mu.
func (u *Uploader) trim() {
	excess := len(u.pending) + u.nalarms - u.opts.MaxQueue
	if excess <= 0 {
		return
	}
	if n := min(excess, len(u.pending)); n > 0 {
		u.dropOldestFixes(n)
		excess -= n
	}
	for ; excess > 0; excess-- {
		oldest := ""
		for t, q := range u.alarms {
			if len(q) > 0 && (oldest == "" || q[0].seq < u.alarms[oldest][0].seq) {
				oldest = t
			}
		}
		if oldest == "" {
			return
		}
		u.alarms[oldest] = u.alarms[oldest][1:]
		u.nalarms--
		u.drop(oldest, 1)
	}
}

func (u *Uploader) dropOldestFixes(n int) {
	ids := make([]string, 0, len(u.pending))
	for id := range u.pending {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return u.pending[ids[i]].At.Before(u.pending[ids[j]].At) })
	for _, id := range ids[:n] {
		delete(u.pending, id)
	}
	u.drop(TablePosition, n)
}

func (u *Uploader) drop(table string, n int) {
	u.dropped[table] += n
	u.m.dropped.WithLabelValues(table).Add(float64(n))
}
