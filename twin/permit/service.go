package permit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Store is the part of the store the service keeps permits in
// (store.Store satisfies it).
type Store interface {
	PutPermit(ctx context.Context, p store.PermitRecord) error
	GetPermit(ctx context.Context, id string) (store.PermitRecord, error)
	ListPermits(ctx context.Context, f store.PermitFilter) ([]store.PermitRecord, error)
}

// Options configure a Service. Zero values are the defaults.
type Options struct {
	Store Store       // required
	Scene *twin.Scene // required: positions, areas, and the permits layer
	// Alarms receives the hard blocks as permit_blocked alarms with their
	// PTW code; nil raises none.
	Alarms  alarm.Raiser
	Rules   *Rules             // default Default()
	Library *substance.Library // default substance.Default()
	Clock   func() time.Time   // default time.Now
	Logger  *slog.Logger       // default slog.Default()
	// When is the site's time zone, calendar and (a function for) the
	// wind, for the hot-work upgrade.
	Location *time.Location
	Calendar Calendar
	Wind     func() float64 // m/s at 10 m; nil or NaN: unknown
	// ApproverRadiusM is how near the work area an approver's tag must be
	// for the approval right to open; default 30 m (the W6 issue).
	ApproverRadiusM float64
	// FixMaxAge is how old the approver's last position may be; default
	// 60 s (AQ 3064.3: a tag silent that long is offline).
	FixMaxAge time.Duration
}

// Defaults of Options.
const (
	DefaultApproverRadiusM = 30.0
	DefaultFixMaxAge       = 60 * time.Second
)

// Service keeps the permits: each step is checked by the rules, logged
// (hash chain), stored and mirrored into the scene as a permit entity
// (layer permits). It is safe for concurrent use; steps are serialised.
type Service struct {
	opts Options
	log  *slog.Logger
	mu   sync.Mutex // serialises the steps; guards the fields below

	// open holds the permits not yet ended (booked … suspended), loaded
	// from the store on first use and kept by the service's own writes:
	// the watch, the expiry and the simultaneous-work check read it
	// instead of the store.
	open   map[string]*Permit
	watch  map[string]*watched // the permits in progress (watch.go)
	raised map[string]string   // open watch alarm key → what it said
}

// openStatuses are the statuses of a permit not yet ended.
var openStatuses = []string{"booked", "applied", "approved", "in_progress", "suspended"}

// openSet returns the open permits, loading them on first use; s.mu held.
func (s *Service) openSet(ctx context.Context) (map[string]*Permit, error) {
	if s.open != nil {
		return s.open, nil
	}
	open := map[string]*Permit{}
	for _, status := range openStatuses {
		ps, err := s.List(ctx, store.PermitFilter{Status: status})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			open[p.ID] = p
		}
	}
	s.open = open
	return open, nil
}

// openSorted returns the open permits of the statuses given (all when
// none), by id; s.mu held.
func (s *Service) openSorted(ctx context.Context, statuses ...string) ([]*Permit, error) {
	open, err := s.openSet(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Permit, 0, len(open))
	for _, p := range open {
		if len(statuses) == 0 || slices.Contains(statuses, p.Status) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *Permit) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// NewService returns a service.
func NewService(opts Options) (*Service, error) {
	if opts.Store == nil || opts.Scene == nil {
		return nil, errors.New("permit: a store and a scene are required")
	}
	if opts.Rules == nil {
		opts.Rules = Default()
	}
	if opts.Library == nil {
		opts.Library = substance.Default()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ApproverRadiusM == 0 {
		opts.ApproverRadiusM = DefaultApproverRadiusM
	}
	if opts.FixMaxAge == 0 {
		opts.FixMaxAge = DefaultFixMaxAge
	}
	if err := opts.Calendar.Validate(); err != nil {
		return nil, err
	}
	return &Service{opts: opts, log: opts.Logger.With("component", "permit")}, nil
}

// Rules returns the service's rule tables.
func (s *Service) Rules() *Rules { return s.opts.Rules }

// Location is the site's time zone the service works in.
func (s *Service) Location() *time.Location { return s.conditions().loc() }

func (s *Service) conditions() Conditions {
	c := Conditions{Location: s.opts.Location, Calendar: s.opts.Calendar, WindMS: math.NaN()}
	if s.opts.Wind != nil {
		c.WindMS = s.opts.Wind()
	}
	return c
}

// Create is a new permit as the REST API gives it.
type Create struct {
	Type, Level string
	Content     string       // 作业内容
	Geometry    orb.Geometry // lon/lat: the work area (or point)
	Start, End  time.Time
	Workers     []string
	Guardian    string
	Approvers   []string
	Related     []string
	Substance   string
	// OnRunningEquipment: hot work on running equipment or pipes (in a
	// fire and explosion hazard area that makes it 特级).
	OnRunningEquipment bool
	// Emergency: emergency work, booked the same day.
	Emergency bool
}

// Create books a permit and stores it. The work lies in a fire and
// explosion hazard area when its centre lies in an area or unit whose
// `fire_zone` property is true (docs/scene-format.md).
func (s *Service) Create(ctx context.Context, c Create, by string) (*Permit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.create(ctx, c, by, "")
}

// create books c (a re-issue of permit from when not ""); s.mu held.
func (s *Service) create(ctx context.Context, c Create, by, from string) (*Permit, error) {
	if c.Geometry == nil || !validGeometry(c.Geometry) {
		return nil, refuse("invalid_geometry", "a work area (GeoJSON point or polygon in lon/lat) is required")
	}
	now := s.opts.Clock()
	q := Request{ID: newID(now), Type: c.Type, Level: c.Level, Content: c.Content, Start: c.Start, End: c.End, Workers: c.Workers,
		Guardian: c.Guardian, Approvers: c.Approvers, Related: c.Related, FireArea: s.fireArea(c.Geometry),
		Substance: c.Substance, When: s.conditions(), Booked: now, Emergency: c.Emergency}
	if err := s.checkPlace(&q, c.Geometry, c.OnRunningEquipment); err != nil {
		return nil, err
	}
	p, err := s.opts.Rules.New(q)
	if err != nil {
		return nil, s.refused(ctx, q.ID, c.Geometry, err)
	}
	p.Geometry = geojson.NewGeometry(c.Geometry)
	p.ReissuedFrom = from
	detail := map[string]any{"type": p.Type, "level": p.Level, "start": p.Start, "end": p.End,
		"workers": p.Workers, "guardian": p.Guardian, "approvers": p.Approvers, "fire_area": p.FireArea}
	if p.UpgradedFrom != "" {
		detail["upgraded_from"], detail["upgrade_reasons"] = p.UpgradedFrom, p.UpgradeReasons
	}
	if len(p.LevelBasis) > 0 {
		detail["level_basis"] = p.LevelBasis
	}
	if p.SameDay || p.Emergency {
		detail["same_day"], detail["emergency"] = p.SameDay, p.Emergency
	}
	action := "create"
	if from != "" {
		action, detail["reissued_from"] = "reissue", from
	}
	if err := s.save(ctx, p, by, action, detail, now); err != nil {
		return nil, err
	}
	return p, nil
}

// Reissue replaces permit id by a new one booked from c (the work's
// content, scope or place changed, or it expired): the old one becomes
// void (an expired one stays expired), each names the other, and the new
// one lists the old among its related permits. Both steps are logged.
func (s *Service) Reissue(ctx context.Context, id string, c Create, by string) (*Permit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.opts.Rules.voidable(old); err != nil {
		return nil, err
	}
	if !slices.Contains(c.Related, old.ID) {
		c.Related = append(slices.Clone(c.Related), old.ID)
	}
	p, err := s.create(ctx, c, by, old.ID)
	if err != nil {
		return nil, err
	}
	now := s.opts.Clock()
	if err := s.opts.Rules.Void(old, p.ID); err != nil {
		return nil, err
	}
	action := "void"
	if old.Status == "expired" {
		action = "reissued" // an expired permit stays expired
	}
	if err := s.save(ctx, old, by, action, map[string]any{"reissued_as": p.ID}, now); err != nil {
		return nil, err
	}
	return p, nil
}

// Get returns a permit, its log verified.
func (s *Service) Get(ctx context.Context, id string) (*Permit, error) {
	rec, err := s.opts.Store.GetPermit(ctx, id)
	if err != nil {
		return nil, err
	}
	return decode(rec)
}

// List returns the permits f selects.
func (s *Service) List(ctx context.Context, f store.PermitFilter) ([]*Permit, error) {
	recs, err := s.opts.Store.ListPermits(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]*Permit, 0, len(recs))
	for _, rec := range recs {
		p, err := decode(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func decode(rec store.PermitRecord) (*Permit, error) {
	var p Permit
	if err := json.Unmarshal(rec.Doc, &p); err != nil {
		return nil, fmt.Errorf("permit %s: stored document: %w", rec.ID, err)
	}
	if err := p.VerifyLog(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Step names a workflow step the REST API drives.
type Step struct {
	Action string // apply, risk_analysis, briefing, confirm_measure, gas_analysis, approve, start, suspend, resume, register, close, cancel
	// Measure is the measure number (confirm_measure).
	Measure int
	// Reason is the suspension's or cancellation's.
	Reason string
	// PersonID is the acting user's person (approve: whose tag must be on
	// site).
	PersonID string
	// Gas analysis.
	Gas       string
	Value     float64
	Unit      string
	SampledAt time.Time
	Enriched  bool
	// Register entry (register): person or tool, its id, in or out.
	Kind, Subject, Direction string
}

// Do applies one step to permit id for user by, logs and stores it.
func (s *Service) Do(ctx context.Context, id, by string, st Step) (*Permit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.opts.Clock()
	r := s.opts.Rules
	detail := map[string]any{}
	switch st.Action {
	case "apply":
		err = r.Apply(p)
	case "risk_analysis":
		err = r.IdentifyRisk(p, by, now)
	case "briefing":
		err = r.Brief(p, by, now)
	case "confirm_measure":
		err, detail["n"] = r.ConfirmMeasure(p, st.Measure, by, now), st.Measure
	case "gas_analysis":
		var sub *substance.Substance
		var u substance.Unit
		if sub, err = s.opts.Library.Get(st.Gas); err != nil {
			return nil, refuse("invalid_gas_analysis", "%v", err)
		}
		if u, err = substance.ParseUnit(st.Unit); err != nil {
			return nil, refuse("invalid_gas_analysis", "%v", err)
		}
		var a GasAnalysis
		a, err = r.AddGasAnalysis(p, sub, st.Value, u, st.SampledAt, by, st.Enriched)
		detail["gas"], detail["value"], detail["unit"], detail["sampled_at"], detail["pass"] = a.Gas, a.Value, string(a.Unit), a.SampledAt, a.Verdict.Pass
	case "approve":
		onSite, dist := s.onSite(p, st.PersonID, now)
		detail["person_id"], detail["on_site"], detail["distance_m"] = st.PersonID, onSite, dist
		if err = r.Approve(p, by, onSite, now); err == nil {
			err = r.CheckWorkers(p, s.certificates(p.Workers), now)
		}
		if err == nil {
			err = s.checkRelated(ctx, p)
		}
		if err == nil {
			p.Approvals[len(p.Approvals)-1].Person = st.PersonID
		}
	case "start":
		if err = r.Start(p, now, s.conditions()); err == nil {
			err = r.CheckWorkers(p, s.certificates(p.Workers), now)
		}
		if err == nil {
			if p.Warnings = s.simultaneous(ctx, p); len(p.Warnings) > 0 {
				detail["warnings"] = p.Warnings
			}
		}
	case "suspend":
		err, detail["reason"] = r.Suspend(p, st.Reason, now), st.Reason
	case "resume":
		err = r.Resume(p, now, s.conditions())
	case "register":
		err = r.Register(p, st.Kind, st.Subject, st.Direction, by, now)
		detail["kind"], detail["id"], detail["direction"] = st.Kind, strings.TrimSpace(st.Subject), st.Direction
	case "close":
		err = r.Close(p)
	case "cancel":
		err, detail["reason"] = r.Cancel(p, st.Reason), st.Reason
	default:
		return nil, refuse("invalid_step", "no step %q", st.Action)
	}
	if err != nil {
		return nil, s.refused(ctx, p.ID, p.area(), err)
	}
	if err := s.save(ctx, p, by, st.Action, detail, now); err != nil {
		return nil, err
	}
	return p, nil
}

// ExpireDue expires every permit whose window has passed, at now.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock()
	ps, err := s.openSorted(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range ps {
		was := p.Status
		if s.opts.Rules.Expire(p, now) {
			if err := s.save(ctx, p, "system", "expire", map[string]any{"was": was}, now); err != nil {
				return n, err
			}
			if was != "booked" { // a booking never applied for is no safety matter
				s.expired(ctx, p, now)
			}
			n++
		}
	}
	return n, nil
}

// expired raises permit_expired (PTW 10) for p.
func (s *Service) expired(ctx context.Context, p *Permit, now time.Time) {
	if s.opts.Alarms == nil {
		return
	}
	lon, lat, area := s.place(p.area())
	_, _, err := s.opts.Alarms.Raise(ctx, alarm.Raise{Key: string(alarm.PermitExpired) + ":" + p.ID, Type: alarm.PermitExpired,
		Level: alarm.LevelMedium, EntityID: p.ID, At: now, Lon: lon, Lat: lat, AreaID: area,
		Message:   fmt.Sprintf("作业票 %s 已超期（PTW 10）", p.ID),
		MessageEn: fmt.Sprintf("Permit %s expired (PTW 10)", p.ID),
		Details:   map[string]any{"permit_id": p.ID, "ptw_code": "10", "end": p.End, "type": p.Type}})
	if err != nil {
		s.log.Error("permit_expired alarm not raised", "permit", p.ID, "err", err)
	}
}

// conflicting is which other work a type may not run beside.
var conflicting = map[string]string{"hot_work": "blind_plate", "blind_plate": "hot_work"}

// simultaneous lists the simultaneous-operation warnings of p: other
// approved or running work of a conflicting type within the type's
// SimultaneousM, and for hot work venting points (equipment of type vent)
// that near.
func (s *Service) simultaneous(ctx context.Context, p *Permit) []string {
	t, err := s.opts.Rules.Type(p.Type)
	if err != nil || !(t.SimultaneousM > 0) || p.Geometry == nil {
		return nil
	}
	g := p.Geometry.Geometry()
	var out []string
	if other, ok := conflicting[p.Type]; ok {
		ps, err := s.openSorted(ctx, "approved", "in_progress")
		if err != nil {
			s.log.Warn("simultaneous work not checked", "permit", p.ID, "err", err)
		}
		for _, q := range ps {
			if q.Type == other && q.ID != p.ID && q.Geometry != nil &&
				geo.DistanceToM(g, geo.Centroid(q.Geometry.Geometry())) <= t.SimultaneousM {
				out = append(out, other+"_nearby:"+q.ID)
			}
		}
	}
	if p.Type == "hot_work" {
		s.opts.Scene.View(func(tx twin.Tx) {
			tx.Search(geo.ExpandM(g.Bound(), t.SimultaneousM), func(e *twin.Entity) bool {
				if e.Kind == twin.KindEquipment && e.String("equipment_type") == "vent" && geo.DistanceToM(g, e.Point()) <= t.SimultaneousM {
					out = append(out, "vent_nearby:"+e.ID)
				}
				return true
			})
		})
	}
	return out
}

// onSite reports whether person's tag was within ApproverRadiusM of the
// permit's area at a fix at most FixMaxAge old, and the distance.
func (s *Service) onSite(p *Permit, personID string, now time.Time) (bool, float64) {
	if personID == "" || p.Geometry == nil {
		return false, math.NaN()
	}
	d, fresh := s.distanceOf(personID, p.Geometry.Geometry(), now)
	return fresh && d <= s.opts.ApproverRadiusM, math.Round(d*10) / 10
}

// samePlaceM is how near two permits' work areas must be to count as
// one place whose special works must name each other.
const samePlaceM = 5.0

// checkRelated checks p's related permits at sign-off (GB 30871-2022
// §4: work that involves other special work holds their permits, and the
// form names them): every permit listed must exist and be live — not
// cancelled, void (but the one p re-issues) or expired — PTW 61; every
// other open permit at the same place (areas within 5 m) must be listed
// — hot work inside a tank needs the confined-space permit named — PTW
// 62. s.mu held.
func (s *Service) checkRelated(ctx context.Context, p *Permit) error {
	r := s.opts.Rules
	for _, id := range p.Related {
		if id == p.ReissuedFrom {
			continue
		}
		q, err := s.Get(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return r.block("related_permit_missing", "related_permit_missing", "related permit %s does not exist", id)
		case err != nil:
			return err
		case q.Status == "cancelled" || q.Status == "void" || q.Status == "expired":
			return r.block("related_permit_missing", "related_permit_missing", "related permit %s is %s", id, q.Status)
		}
	}
	if p.Geometry == nil {
		return nil
	}
	open, err := s.openSorted(ctx)
	if err != nil {
		return err
	}
	g := p.Geometry.Geometry()
	for _, q := range open {
		if q.ID == p.ID || q.Geometry == nil || slices.Contains(p.Related, q.ID) || slices.Contains(q.Related, p.ID) {
			continue
		}
		if geo.DistanceToM(q.Geometry.Geometry(), geo.Centroid(g)) <= samePlaceM || geo.DistanceToM(g, geo.Centroid(q.Geometry.Geometry())) <= samePlaceM {
			return r.block("related_permit_not_linked", "related_permit_not_linked", "permit %s (%s) is at the same place and not named as related", q.ID, q.Type)
		}
	}
	return nil
}

// certificates reads the certificates of people from their scene records
// (properties.certificates: type, name, number, expires YYYY-MM-DD). A
// certificate is in force through its expiry date in the site's zone.
func (s *Service) certificates(people []string) map[string][]Held {
	loc := s.Location()
	out := make(map[string][]Held, len(people))
	for _, id := range people {
		e, ok := s.opts.Scene.Get(id)
		if !ok {
			continue
		}
		list, _ := e.Props["certificates"].([]any)
		for _, item := range list {
			m, _ := item.(map[string]any)
			h := Held{}
			h.Kind, _ = m["kind"].(string)
			h.Class, _ = m["type"].(string)
			h.Name, _ = m["name"].(string)
			h.Number, _ = m["number"].(string)
			exp, _ := m["expires"].(string)
			day, err := time.ParseInLocation(time.DateOnly, exp, loc)
			if err != nil {
				continue // the scene check reports it (scenes/registry.go)
			}
			h.Expires = day.AddDate(0, 0, 1)
			out[id] = append(out[id], h)
		}
	}
	return out
}

// fireArea reports whether the work's centre lies in an area or unit the
// scene marks as a fire and explosion hazard area (fire_zone: true).
func (s *Service) fireArea(g orb.Geometry) bool {
	hit := false
	c := geo.Centroid(g)
	s.opts.Scene.View(func(tx twin.Tx) {
		tx.Search(g.Bound(), func(e *twin.Entity) bool {
			if e.Kind == twin.KindArea || e.Kind == twin.KindUnit {
				if f, _ := e.Props["fire_zone"].(bool); f && geo.Contains(e.Geometry, c) {
					hit = true
					return false
				}
			}
			return true
		})
	})
	return hit
}

// save logs a step, stores the permit and mirrors it into the scene.
func (s *Service) save(ctx context.Context, p *Permit, by, action string, detail map[string]any, now time.Time) error {
	if _, err := p.Record(by, action, detail, now); err != nil {
		return err
	}
	return s.put(ctx, p, now)
}

// put stores the permit as it is and mirrors it into the scene.
func (s *Service) put(ctx context.Context, p *Permit, now time.Time) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("permit: encode %s: %w", p.ID, err)
	}
	if err := s.opts.Store.PutPermit(ctx, store.PermitRecord{ID: p.ID, Type: p.Type, Level: p.Level, Status: p.Status,
		Start: p.Start, End: p.End, UpdatedAt: now, Doc: doc}); err != nil {
		s.open = nil // the watch may have changed its copy: reload from the store
		return err
	}
	if s.open != nil {
		if slices.Contains(openStatuses, p.Status) {
			s.open[p.ID] = p
		} else {
			delete(s.open, p.ID)
		}
	}
	if err := s.opts.Scene.Apply(twin.Upsert{Entity: s.entity(p, now)}).Err(); err != nil {
		s.log.Error("permit not mirrored into the scene", "permit", p.ID, "err", err)
	}
	return nil
}

// entity is the permit as a scene entity (layer permits).
func (s *Service) entity(p *Permit, now time.Time) *twin.Entity {
	code, _ := s.opts.Rules.StatusCode(p.Status)
	t, _ := s.opts.Rules.Type(p.Type)
	l, _ := t.Level(p.Level)
	name := t.NameZh
	if l != nil && l.NameZh != "" {
		name = l.NameZh + t.NameZh
	}
	workers := make([]any, len(p.Workers))
	for i, w := range p.Workers {
		workers[i] = w
	}
	return &twin.Entity{ID: p.ID, Kind: twin.KindPermit, Name: name, Geometry: p.Geometry.Geometry(), Updated: now,
		Props: map[string]any{"type": p.Type, "level": p.Level, "type_code": l.Code, "status": p.Status, "status_code": code,
			"start": p.Start.UTC().Format(time.RFC3339), "end": p.End.UTC().Format(time.RFC3339),
			"workers": workers, "guardian": p.Guardian, "fire_area": p.FireArea, "same_day": p.SameDay, "emergency": p.Emergency}}
}

// refused raises the permit_blocked alarm of a hard block at the work
// area g and returns err.
func (s *Service) refused(ctx context.Context, id string, g orb.Geometry, err error) error {
	var e *Error
	if s.opts.Alarms == nil || !errors.As(err, &e) || e.PTW == "" {
		return err
	}
	a := s.opts.Rules.alarmByCode(e.PTW)
	lon, lat, area := s.place(g)
	_, _, rerr := s.opts.Alarms.Raise(ctx, alarm.Raise{
		Key: string(alarm.PermitBlocked) + ":" + id + ":" + e.PTW, Type: alarm.PermitBlocked, Level: alarm.LevelMedium, EntityID: id,
		Lon: lon, Lat: lat, AreaID: area,
		Message: fmt.Sprintf("作业票 %s 被拦截：%s（PTW %s）", id, a.Zh, e.PTW), MessageEn: fmt.Sprintf("Permit %s blocked: %s (PTW %s)", id, a.En, e.PTW),
		Details: map[string]any{"permit_id": id, "code": e.Code, "ptw_code": e.PTW, "reason": e.Msg},
	})
	if rerr != nil {
		s.log.Error("permit_blocked alarm not raised", "permit", id, "err", rerr)
	}
	return err
}

// place is where a permit's alarms go on the map: the work area's centre
// and the smallest area holding it (none when g is nil).
func (s *Service) place(g orb.Geometry) (lon, lat float64, areaID string) {
	if g == nil {
		return 0, 0, ""
	}
	c := geo.Centroid(g)
	s.opts.Scene.View(func(tx twin.Tx) { areaID = tx.AreaAt(c) })
	return c[0], c[1], areaID
}

// alarmByCode is the PTW alarm with code.
func (r *Rules) alarmByCode(code string) AlarmCode {
	for _, a := range r.Alarms {
		if a.Code == code {
			return a
		}
	}
	return AlarmCode{Code: code}
}

// validGeometry accepts a point, line or polygon in lon/lat.
func validGeometry(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Point:
	case orb.LineString:
		if len(g) < 2 {
			return false
		}
	case orb.Polygon:
		if len(g) == 0 || len(g[0]) < 4 {
			return false
		}
	default:
		return false
	}
	b := g.Bound()
	return geo.ValidLonLat(b.Min) && geo.ValidLonLat(b.Max)
}

// newID is "PTW-" with the date and a random suffix.
func newID(now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return "PTW-" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(b[:])
}
