package evac

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	gevac "github.com/chemtwin/chemtwin/geo/evac"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/twin"
)

// Service defaults.
const (
	// DefaultInterval is how often the live plans are looked at: a plan
	// re-plans at most this often, when the scene changed (people moved,
	// threat zones or the wind changed).
	DefaultInterval = 5 * time.Second
	// LiveFor: the newest plan is re-planned for this long after it was
	// made or edited; a standing order's plan for as long as it stands.
	LiveFor = time.Hour
	// DefaultKeepPlans plans are kept (the newest); older ones are dropped
	// unless an active order holds them.
	DefaultKeepPlans = 20
	// WindMaxAge: a weather station's reading older than this is not the
	// live wind.
	WindMaxAge = 10 * time.Minute
)

// Store collections.
const (
	colOrders = "evac_orders"
	colAcks   = "evac_acks"
)

// Errors the service refuses with.
var (
	ErrNotFound = errors.New("evac: not found")
	// ErrConflict: an order while another is active, or ending an ended one.
	ErrConflict = errors.New("evac: conflict")
	// ErrNoNetwork: the scene has no walkable network to plan on.
	ErrNoNetwork = errors.New("evac: no walkable network")
)

// Options configure a Service.
type Options struct {
	Scene *twin.Scene // required; with a plant frame
	// Store keeps the orders and acknowledgements; required.
	Store store.Records
	// Planner tunes the routing (speeds, downwind sector).
	Planner gevac.Options
	// Notify sends a notice to a tag (MQTT chemtwin/{site}/tags/{tag}/notify);
	// Publish to the viewers (/ws notify frames). Either may be nil.
	Notify  func(tag string, v any) error
	Publish func(v any)
	Clock   func() time.Time
	Logger  *slog.Logger
	// Location is the site's time zone (the roll call's CSV); default
	// UTC+8.
	Location *time.Location
	// Interval and KeepPlans: zero means the defaults.
	Interval  time.Duration
	KeepPlans int
}

// Service is the emergency service: evacuation plans routed around
// hazards to safe muster points and kept live (re-planned as people move
// and threat zones and wind change, at most once per Interval, pushed to
// the viewers), the evacuation order broadcast to every tag with its
// route and counted as tags acknowledge, and the roll call. Safe for
// concurrent use.
type Service struct {
	opts Options
	log  *slog.Logger

	planMu  sync.Mutex // one planning at a time
	orderMu sync.Mutex // one order's telling at a time: issue, re-tell, end
	planner *gevac.Planner
	netRev  uint64 // the scene revision the network was built at
	netErr  error
	dirty   bool // the network's lines changed: rebuild before planning

	mu     sync.Mutex
	plans  map[string]*Plan
	order  []string // plan ids, oldest first
	orders map[string]*Order
	acks   chan ack
	seen   uint64 // the scene revision the live plans were made at
}

type ack struct {
	tag string
	ref string
	at  time.Time
}

// NewService returns a service; Run starts its loop.
func NewService(o Options) (*Service, error) {
	if o.Scene == nil || o.Store == nil {
		return nil, errors.New("evac: a scene and a store are required")
	}
	if o.Scene.Frame() == nil {
		return nil, errors.New("evac: the scene has no plant frame")
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.FixedZone("CST", 8*3600)
	}
	o.Interval = cmp.Or(o.Interval, DefaultInterval)
	o.KeepPlans = cmp.Or(o.KeepPlans, DefaultKeepPlans)
	if err := o.Planner.Validate(); err != nil {
		return nil, err
	}
	return &Service{opts: o, log: o.Logger.With("component", "evac"), dirty: true,
		plans: map[string]*Plan{}, orders: map[string]*Order{}, acks: make(chan ack, 4096)}, nil
}

// Observe takes the scene's changes: a change to the network's lines
// (roads, walkways, stairs) rebuilds it before the next plan.
func (s *Service) Observe(r twin.Result) {
	for _, d := range r.Deltas {
		if d.Op != twin.OpMove && (d.Kind == twin.KindRoad || d.Kind == twin.KindWalkway || d.Kind == twin.KindStairs) {
			s.planMu.Lock()
			s.dirty = true
			s.planMu.Unlock()
			return
		}
	}
}

// Ack takes a tag's acknowledgement of a notice (ingest's OnAck); it never
// blocks: beyond a full queue the acknowledgement is dropped and logged.
func (s *Service) Ack(tag, ref string, at time.Time) {
	select {
	case s.acks <- ack{tag, ref, at}:
	default:
		s.log.Warn("acknowledgement dropped: queue full", "tag", tag, "ref", ref)
	}
}

// Run loads the active order, then re-plans the live plans every Interval
// when the scene changed and records acknowledgements, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	for {
		err := s.load(ctx)
		if err == nil {
			break
		}
		s.log.Error("evacuation orders not loaded; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.opts.Interval):
		}
	}
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case a := <-s.acks:
			batch := []ack{a}
			for len(batch) < 512 {
				select {
				case a := <-s.acks:
					batch = append(batch, a)
					continue
				default:
				}
				break
			}
			if err := s.recordAcks(ctx, batch); err != nil {
				s.log.Error("acknowledgements not stored", "err", err)
			}
		case <-t.C:
			if err := s.Step(ctx); err != nil {
				s.log.Error("evacuation re-plan", "err", err)
			}
		}
	}
}

// Step re-plans the live plans — the newest and the active order's —
// when the scene changed since they were made.
func (s *Service) Step(ctx context.Context) error {
	rev := s.opts.Scene.Rev()
	s.mu.Lock()
	if rev == s.seen {
		s.mu.Unlock()
		return nil
	}
	s.seen = rev
	var live []string
	if n := len(s.order); n > 0 && s.opts.Clock().Sub(s.plans[s.order[n-1]].EditedAt) <= LiveFor {
		live = append(live, s.order[n-1])
	}
	if o := s.activeLocked(); o != nil && !slices.Contains(live, o.PlanID) {
		live = append(live, o.PlanID)
	}
	s.mu.Unlock()
	var errs []error
	for _, id := range live {
		if _, err := s.replan(ctx, id, nil, ""); err != nil && !errors.Is(err, ErrNotFound) {
			errs = append(errs, fmt.Errorf("plan %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// newID is prefix, the time and four random bytes.
func newID(prefix string, now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// network returns the planner, rebuilding the network when its lines
// changed. planMu held.
func (s *Service) network() (*gevac.Planner, error) {
	if !s.dirty && s.planner != nil {
		return s.planner, nil
	}
	s.dirty = false
	g, err := route.FromScene(s.opts.Scene)
	if g == nil {
		s.planner, s.netErr = nil, fmt.Errorf("%w: %v", ErrNoNetwork, err)
		return nil, s.netErr
	}
	if err != nil {
		s.log.Warn("network lines skipped", "err", err)
	}
	p, err := gevac.NewPlanner(g, s.opts.Planner)
	if err != nil {
		s.planner, s.netErr = nil, err
		return nil, err
	}
	s.planner, s.netErr, s.netRev = p, nil, s.opts.Scene.Rev()
	return p, nil
}

// liveWind is the freshest weather station reading within WindMaxAge.
func liveWind(tx twin.Tx, now time.Time) *Wind {
	var best *twin.Entity
	var bestAt time.Time
	tx.Kind(twin.KindWeatherStation, func(e *twin.Entity) bool {
		_, ok1 := twin.AsFloat(e.State["wind_speed"])
		_, ok2 := twin.AsFloat(e.State["wind_from"])
		at := cmp.Or(e.Reported, e.Updated)
		if ok1 && ok2 && now.Sub(at) <= WindMaxAge && (best == nil || at.After(bestAt)) {
			best, bestAt = e, at
		}
		return true
	})
	if best == nil {
		return nil
	}
	sp, _ := twin.AsFloat(best.State["wind_speed"])
	from, _ := twin.AsFloat(best.State["wind_from"])
	return &Wind{FromDeg: from, SpeedMS: sp, Source: "station:" + best.ID}
}

// threatZone is a live threat zone used as a hazard.
type threatZone struct {
	id, name string
	level    int
	geom     orb.Geometry // lon/lat
}

// threatZones lists the live threat zones (zone "threat", not the wider
// confidence envelope: the envelope is where the plume may wander, and
// blocking it would cut people off for a possibility; its wind-side is the
// downwind sector's business).
func threatZones(tx twin.Tx) []threatZone {
	var out []threatZone
	tx.Kind(twin.KindThreatZone, func(e *twin.Entity) bool {
		if e.Geometry != nil && e.String("zone") == "threat" {
			out = append(out, threatZone{id: e.ID, name: e.Name, level: int(e.Float("level", 0)), geom: e.Geometry})
		}
		return true
	})
	slices.SortFunc(out, func(a, b threatZone) int { return cmp.Compare(a.id, b.id) })
	return out
}

// musterInfo is a muster point as the scene has it.
type musterInfo struct {
	id, name, nameEn string
	loc              orb.Point
}

// personInfo is a person in a plan.
type personInfo struct {
	id, name, tag string
	loc           orb.Point
	floor         int
	status        Status
}

// inputs gathers a plan's input from the scene at now.
func (s *Service) inputs(req Request, now time.Time, since time.Time) (gevac.Input, []personInfo, []musterInfo, []threatZone, *Wind) {
	f := s.opts.Scene.Frame()
	local := func(p orb.Point) [2]float64 { x, y := f.FastLocal(p); return [2]float64{x, y} }
	var in gevac.Input
	var musters []musterInfo
	var zones []threatZone
	wind := req.Wind
	s.opts.Scene.View(func(tx twin.Tx) {
		tx.Kind(twin.KindMusterPoint, func(e *twin.Entity) bool {
			if e.Geometry == nil {
				return true
			}
			musters = append(musters, musterInfo{id: e.ID, name: e.Name, nameEn: e.String("name_en"), loc: e.Point()})
			return true
		})
		if req.UseThreatZones {
			zones = threatZones(tx)
		}
		if wind == nil {
			wind = liveWind(tx, now)
		}
	})
	slices.SortFunc(musters, func(a, b musterInfo) int { return cmp.Compare(a.id, b.id) })
	s.opts.Scene.View(func(tx twin.Tx) {
		for _, m := range musters {
			e := tx.Get(m.id)
			in.Musters = append(in.Musters, gevac.MusterPoint{ID: m.id, P: local(m.loc), RadiusM: e.Float("radius_m", DefaultMusterRadiusM),
				Capacity: int(e.Float("capacity", 0))})
		}
	})
	rc := Take(s.opts.Scene, RollOptions{Now: now, Since: since})
	var people []personInfo
	for _, e := range rc.People {
		if e.Status == Left {
			continue
		}
		p := personInfo{id: e.Person, name: e.Name, tag: e.Tag, loc: orb.Point{e.Lon, e.Lat}, floor: e.Floor, status: e.Status}
		people = append(people, p)
		in.People = append(in.People, gevac.Person{ID: p.id, P: local(p.loc), Floor: p.floor})
	}
	for _, h := range req.Hazards {
		in.Hazards = append(in.Hazards, gevac.Hazard{ID: h.ID, Area: f.FromGeometry(h.Geometry)})
	}
	for _, z := range zones {
		in.Hazards = append(in.Hazards, gevac.Hazard{ID: z.id, Area: f.FromGeometry(z.geom)})
	}
	for _, c := range req.Closures {
		cl := gevac.Closure{ID: c.ID}
		if c.Geometry != nil {
			cl.Geometry = f.FromGeometry(c.Geometry)
		}
		// A source naming a gate (or a building, an area) closes its
		// footprint; any other names a line of the network.
		s.opts.Scene.View(func(tx twin.Tx) {
			for _, id := range c.Sources {
				if e := tx.Get(id); e != nil && e.Geometry != nil && (e.Kind == twin.KindGate || e.Kind == twin.KindBuilding || e.Kind == twin.KindArea) {
					in.Closures = append(in.Closures, gevac.Closure{ID: c.ID + "/" + id, Geometry: f.FromGeometry(e.Geometry)})
					continue
				}
				cl.Sources = append(cl.Sources, id)
			}
		})
		if cl.Geometry != nil || len(cl.Sources) > 0 {
			in.Closures = append(in.Closures, cl)
		}
	}
	if wind != nil {
		in.Wind = &gevac.Wind{FromDeg: wind.FromDeg, SpeedMS: wind.SpeedMS}
	}
	return in, people, musters, zones, wind
}

// Plan is an evacuation plan: the request and, at each re-plan, the
// routes of everyone in the plant.
type Plan struct {
	ID        string
	Request   Request
	By        string
	CreatedAt time.Time
	UpdatedAt time.Time // the last planning
	EditedAt  time.Time // made, or its request replaced
	Rev       int       // counts the plannings
	PlanMS    float64

	result *gevac.Plan
	// fallback is the plan without capacities, made when some people
	// found every reachable safe muster point full: they are still told
	// the way to the nearest one (over its capacity), and the commander
	// sees that more room is needed.
	fallback *gevac.Plan
	people   []personInfo
	musters  []musterInfo
	zones    []threatZone
	wind     *Wind
}

// CreatePlan plans a new evacuation.
func (s *Service) CreatePlan(ctx context.Context, req Request, by string) (*Plan, error) {
	now := s.opts.Clock()
	p := &Plan{ID: newID("EVP-", now), Request: req, By: by, CreatedAt: now, EditedAt: now}
	if err := s.plan(ctx, p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.plans[p.ID] = p
	s.order = append(s.order, p.ID)
	s.pruneLocked()
	s.mu.Unlock()
	s.publishPlan(p)
	return p, nil
}

// UpdatePlan replaces a plan's request (hazards, closures, wind) and
// re-plans it.
func (s *Service) UpdatePlan(ctx context.Context, id string, req Request, by string) (*Plan, error) {
	return s.replan(ctx, id, &req, by)
}

// replan re-plans plan id, with a new request when req is not nil.
func (s *Service) replan(ctx context.Context, id string, req *Request, by string) (*Plan, error) {
	s.mu.Lock()
	old := s.plans[id]
	s.mu.Unlock()
	if old == nil {
		return nil, fmt.Errorf("%w: plan %q", ErrNotFound, id)
	}
	p := &Plan{ID: old.ID, Request: old.Request, By: old.By, CreatedAt: old.CreatedAt, EditedAt: old.EditedAt, Rev: old.Rev}
	if req != nil {
		p.Request, p.By, p.EditedAt = *req, by, s.opts.Clock()
	}
	if err := s.plan(ctx, p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if _, ok := s.plans[id]; ok {
		s.plans[id] = p
	}
	o := s.activeLocked()
	s.mu.Unlock()
	s.publishPlan(p)
	if o != nil && o.PlanID == id {
		s.renotify(o, p)
	}
	return p, nil
}

// plan runs the planner for p at now.
func (s *Service) plan(ctx context.Context, p *Plan) error {
	s.planMu.Lock()
	defer s.planMu.Unlock()
	planner, err := s.network()
	if err != nil {
		return err
	}
	now := s.opts.Clock()
	s.mu.Lock()
	since := now
	if o := s.activeLocked(); o != nil {
		since = o.At
	}
	s.mu.Unlock()
	in, people, musters, zones, wind := s.inputs(p.Request, now, since)
	start := time.Now()
	res, err := planner.Plan(ctx, in)
	if err != nil {
		return err
	}
	var fallback *gevac.Plan
	if res.Stats.NoCapacity > 0 {
		open := in
		open.Musters = slices.Clone(in.Musters)
		for i := range open.Musters {
			open.Musters[i].Capacity = 0
		}
		if fallback, err = planner.Plan(ctx, open); err != nil {
			return err
		}
	}
	p.PlanMS = float64(time.Since(start).Microseconds()) / 1000
	p.result, p.fallback, p.people, p.musters, p.zones, p.wind = res, fallback, people, musters, zones, wind
	p.UpdatedAt = now
	p.Rev++
	return nil
}

// pruneLocked drops the oldest plans beyond KeepPlans, unless an order
// holds them.
func (s *Service) pruneLocked() {
	held := map[string]bool{}
	for _, o := range s.orders {
		held[o.PlanID] = true
	}
	for len(s.order) > s.opts.KeepPlans {
		i := slices.IndexFunc(s.order, func(id string) bool { return !held[id] })
		if i < 0 || i == len(s.order)-1 {
			return
		}
		delete(s.plans, s.order[i])
		s.order = slices.Delete(s.order, i, i+1)
	}
}

// GetPlan returns plan id.
func (s *Service) GetPlan(id string) (*Plan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.plans[id]
	if p == nil {
		return nil, fmt.Errorf("%w: plan %q", ErrNotFound, id)
	}
	return p, nil
}

// Plans lists the plans kept, newest first.
func (s *Service) Plans() []*Plan {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Plan, 0, len(s.order))
	for i := len(s.order) - 1; i >= 0; i-- {
		out = append(out, s.plans[s.order[i]])
	}
	return out
}

// publishPlan tells the viewers a plan changed (they fetch its routes).
func (s *Service) publishPlan(p *Plan) {
	if s.opts.Publish == nil {
		return
	}
	s.opts.Publish(map[string]any{"kind": "evacuation_plan", "plan": p.Summary()})
}

// ---- orders ----

// Order is an evacuation order (撤离令): a plan's routes sent to every
// tag and viewer, acknowledged by the tags.
type Order struct {
	ID        string    `json:"id"`
	PlanID    string    `json:"plan_id"`
	Message   string    `json:"message"`
	MessageEn string    `json:"message_en"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	EndedBy   string    `json:"ended_by,omitempty"`
	// Request is the plan's request at the order, to re-make the plan
	// after a restart.
	Request json.RawMessage `json:"request"`
	// Sent is who was told (person → tag and muster point); Acks who
	// acknowledged and when.
	Sent map[string]Sent      `json:"sent"`
	Acks map[string]time.Time `json:"-"`
}

// Sent is what one person was told.
type Sent struct {
	Tag    string    `json:"tag"`
	Muster string    `json:"muster_id,omitempty"`
	Reason string    `json:"reason,omitempty"` // no route: why
	At     time.Time `json:"at"`
}

// Active reports whether the order still stands.
func (o *Order) Active() bool { return o.EndedAt.IsZero() }

func (s *Service) activeLocked() *Order {
	for _, o := range s.orders {
		if o.Active() {
			return o
		}
	}
	return nil
}

// Default order wordings.
const (
	DefaultMessage   = "紧急撤离：请立即按指示路线撤离至应急集合点"
	DefaultMessageEn = "Evacuate now: follow the route to your muster point"
)

// Order issues an evacuation order on plan id: every person of the plan
// with a tag is told their route and muster point (or, without a route,
// to shelter where they are), the viewers are told, and the order stands
// until ended. One order stands at a time (ErrConflict).
func (s *Service) Order(ctx context.Context, planID, message, messageEn, by string) (*Order, error) {
	p, err := s.GetPlan(planID)
	if err != nil {
		return nil, err
	}
	s.orderMu.Lock()
	defer s.orderMu.Unlock()
	now := s.opts.Clock()
	reqJSON, err := jsonOf(p.Request)
	if err != nil {
		return nil, err
	}
	o := &Order{ID: newID("EVO-", now), PlanID: planID, Message: cmp.Or(message, DefaultMessage), MessageEn: cmp.Or(messageEn, message, DefaultMessageEn),
		By: by, At: now, Request: reqJSON, Sent: map[string]Sent{}, Acks: map[string]time.Time{}}
	s.mu.Lock()
	if a := s.activeLocked(); a != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: order %s stands: end it first", ErrConflict, a.ID)
	}
	s.orders[o.ID] = o
	s.mu.Unlock()
	for i := range p.people {
		s.tell(o, p, i, false, now)
	}
	if err := s.saveOrder(ctx, o); err != nil {
		s.mu.Lock()
		delete(s.orders, o.ID)
		s.mu.Unlock()
		return nil, err
	}
	s.publishOrder(o)
	return o, nil
}

// tell sends person i of plan p their part of order o.
func (s *Service) tell(o *Order, p *Plan, i int, update bool, now time.Time) {
	pi := &p.people[i]
	r := &p.result.Routes[i]
	sent := Sent{Tag: pi.tag, At: now}
	n := map[string]any{"kind": "evacuation", "order_id": o.ID, "plan_id": p.ID, "person_id": pi.id, "message": o.Message,
		"message_en": o.MessageEn, "at": now, "update": update}
	if r.Routed() {
		m := p.musters[r.Muster]
		sent.Muster = m.id
		n["muster_id"], n["muster_name"], n["muster_name_en"] = m.id, m.name, m.nameEn
		n["muster_lon"], n["muster_lat"] = m.loc[0], m.loc[1]
		n["length_m"], n["eta_s"] = round1(r.LengthM), round1(r.EtaS)
		if line, err := s.line(p, i); err == nil {
			n["route"] = line
		}
	} else if fb := p.fallbackRoute(i); fb != nil {
		m := p.musters[fb.Muster]
		sent.Muster, sent.Reason = m.id, string(r.Reason)
		n["reason"], n["over_capacity"] = string(r.Reason), true
		n["muster_id"], n["muster_name"], n["muster_name_en"] = m.id, m.name, m.nameEn
		n["muster_lon"], n["muster_lat"] = m.loc[0], m.loc[1]
		n["length_m"], n["eta_s"] = round1(fb.LengthM), round1(fb.EtaS)
		if line, err := s.fallbackLine(p, i); err == nil {
			n["route"] = line
		}
		n["message"] = "安全集合点已满：请沿路线撤离至" + m.name + "，听从现场指挥"
		n["message_en"] = "The safe muster points are full: follow the route to " + cmp.Or(m.nameEn, m.name) + " and follow the marshals' directions"
	} else {
		sent.Reason = string(r.Reason)
		n["reason"] = string(r.Reason)
		n["message"] = "无安全撤离路线：请就地避险（进入室内、关闭门窗、湿毛巾捂住口鼻），等待救援"
		n["message_en"] = "No safe way out: shelter in place (get indoors, close doors and windows, cover your mouth with a wet cloth) and wait for rescue"
	}
	s.mu.Lock()
	o.Sent[pi.id] = sent
	s.mu.Unlock()
	if s.opts.Notify != nil && pi.tag != "" {
		if err := s.opts.Notify(pi.tag, n); err != nil {
			s.log.Warn("evacuation notice not sent", "tag", pi.tag, "err", err)
		}
	}
}

// renotify tells, under a standing order, the people whose muster point
// changed between two plannings (or who are new to it).
func (s *Service) renotify(o *Order, p *Plan) {
	s.orderMu.Lock()
	defer s.orderMu.Unlock()
	if !o.Active() {
		return
	}
	now := s.opts.Clock()
	s.mu.Lock()
	sent := make(map[string]Sent, len(o.Sent))
	for k, v := range o.Sent {
		sent[k] = v
	}
	s.mu.Unlock()
	changed := false
	for i := range p.people {
		r := &p.result.Routes[i]
		was, ok := sent[p.people[i].id]
		muster := ""
		if r.Routed() {
			muster = p.musters[r.Muster].id
		}
		if ok && was.Muster == muster && was.Reason == string(r.Reason) {
			continue
		}
		s.tell(o, p, i, ok, now)
		changed = true
	}
	if changed {
		if err := s.saveOrder(context.Background(), o); err != nil {
			s.log.Error("evacuation order not stored", "order", o.ID, "err", err)
		}
		s.publishOrder(o)
	}
}

// EndOrder stands an order down (all clear): tags and viewers are told.
func (s *Service) EndOrder(ctx context.Context, id, by string) (*Order, error) {
	s.orderMu.Lock()
	defer s.orderMu.Unlock()
	now := s.opts.Clock()
	s.mu.Lock()
	o := s.orders[id]
	switch {
	case o == nil:
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: order %q", ErrNotFound, id)
	case !o.Active():
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: order %s ended at %s", ErrConflict, id, o.EndedAt.Format(time.RFC3339))
	}
	o.EndedAt, o.EndedBy = now, by
	tags := make([]string, 0, len(o.Sent))
	for _, st := range o.Sent {
		if st.Tag != "" {
			tags = append(tags, st.Tag)
		}
	}
	s.mu.Unlock()
	slices.Sort(tags)
	if err := s.saveOrder(ctx, o); err != nil {
		s.mu.Lock()
		o.EndedAt, o.EndedBy = time.Time{}, ""
		s.mu.Unlock()
		return nil, err
	}
	for _, tag := range tags {
		if s.opts.Notify != nil {
			n := map[string]any{"kind": "evacuation_end", "order_id": o.ID, "at": now,
				"message": "撤离解除", "message_en": "All clear: the evacuation is over"}
			if err := s.opts.Notify(tag, n); err != nil {
				s.log.Warn("all-clear not sent", "tag", tag, "err", err)
			}
		}
	}
	s.publishOrder(o)
	return o, nil
}

// GetOrder returns order id.
func (s *Service) GetOrder(id string) (OrderView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return OrderView{}, fmt.Errorf("%w: order %q", ErrNotFound, id)
	}
	return s.viewLocked(o), nil
}

// Orders lists the orders, newest first.
func (s *Service) Orders() []OrderView {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OrderView, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, s.viewLocked(o))
	}
	slices.SortFunc(out, func(a, b OrderView) int { return b.At.Compare(a.At) })
	return out
}

// Active returns the standing order, false when none stands.
func (s *Service) Active() (OrderView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.activeLocked(); o != nil {
		return s.viewLocked(o), true
	}
	return OrderView{}, false
}

// OrderView is an order as the API shows it: who was told, who
// acknowledged, who has not.
type OrderView struct {
	ID        string    `json:"id"`
	PlanID    string    `json:"plan_id"`
	Message   string    `json:"message"`
	MessageEn string    `json:"message_en"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	Active    bool      `json:"active"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	EndedBy   string    `json:"ended_by,omitempty"`
	Sent      int       `json:"sent"`
	Acked     int       `json:"acked"`
	Acks      []AckView `json:"acks"`
	Pending   []AckView `json:"pending"`
}

// AckView is one person told: with the time they acknowledged, if they did.
type AckView struct {
	Person string    `json:"person_id"`
	Tag    string    `json:"tag"`
	Muster string    `json:"muster_id,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

func (s *Service) viewLocked(o *Order) OrderView {
	v := OrderView{ID: o.ID, PlanID: o.PlanID, Message: o.Message, MessageEn: o.MessageEn, By: o.By, At: o.At,
		Active: o.Active(), EndedAt: o.EndedAt, EndedBy: o.EndedBy, Acks: []AckView{}, Pending: []AckView{}}
	for person, st := range o.Sent {
		if st.Tag == "" {
			continue
		}
		v.Sent++
		a := AckView{Person: person, Tag: st.Tag, Muster: st.Muster}
		if at, ok := o.Acks[person]; ok {
			a.At = at
			v.Acks = append(v.Acks, a)
			continue
		}
		v.Pending = append(v.Pending, a)
	}
	v.Acked = len(v.Acks)
	byPerson := func(a, b AckView) int { return cmp.Compare(a.Person, b.Person) }
	slices.SortFunc(v.Acks, byPerson)
	slices.SortFunc(v.Pending, byPerson)
	return v
}

// publishOrder tells the viewers an order's state.
func (s *Service) publishOrder(o *Order) {
	if s.opts.Publish == nil {
		return
	}
	s.mu.Lock()
	v := s.viewLocked(o)
	s.mu.Unlock()
	v.Acks, v.Pending = nil, nil // the counts; the lists are a GET away
	s.opts.Publish(map[string]any{"kind": "evacuation_order", "order": v})
}

// recordAcks applies a batch of acknowledgements: those naming an order
// and coming from the tag the order told, once per person.
func (s *Service) recordAcks(ctx context.Context, batch []ack) error {
	now := s.opts.Clock()
	var recs []store.Record
	touched := map[*Order]bool{}
	s.mu.Lock()
	for _, a := range batch {
		o := s.orders[a.ref]
		if o == nil {
			s.log.Warn("acknowledgement of an unknown notice", "tag", a.tag, "ref", a.ref)
			continue
		}
		person := ""
		for p, st := range o.Sent {
			if st.Tag == a.tag {
				person = p
				break
			}
		}
		if person == "" {
			s.log.Warn("acknowledgement from a tag the order did not tell", "tag", a.tag, "order", o.ID)
			continue
		}
		if _, ok := o.Acks[person]; ok {
			continue
		}
		o.Acks[person] = a.at
		touched[o] = true
		doc, _ := json.Marshal(map[string]any{"order_id": o.ID, "person_id": person, "tag": a.tag, "at": a.at})
		recs = append(recs, store.Record{Collection: colAcks, ID: o.ID + "/" + person, Owner: person, Ref: o.ID, At: a.at, UpdatedAt: now, Doc: doc})
	}
	s.mu.Unlock()
	for o := range touched {
		s.publishOrder(o)
	}
	if len(recs) == 0 {
		return nil
	}
	return s.opts.Store.PutRecords(ctx, recs)
}

// saveOrder stores an order (its acknowledgements are records of their own).
func (s *Service) saveOrder(ctx context.Context, o *Order) error {
	s.mu.Lock()
	doc, err := json.Marshal(o)
	status := map[bool]string{true: "active", false: "ended"}[o.Active()]
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.opts.Store.PutRecord(ctx, store.Record{Collection: colOrders, ID: o.ID, Status: status, Ref: o.PlanID, At: o.At, UpdatedAt: s.opts.Clock(), Doc: doc})
}

// load reads the orders of the last 30 days with their acknowledgements
// and re-makes the plan of a standing order from its request.
func (s *Service) load(ctx context.Context) error {
	now := s.opts.Clock()
	recs, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colOrders, From: now.Add(-30 * 24 * time.Hour)})
	if err != nil {
		return err
	}
	active, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colOrders, Status: []string{"active"}})
	if err != nil {
		return err
	}
	orders := map[string]*Order{}
	for _, rec := range append(recs, active...) {
		var o Order
		if err := json.Unmarshal(rec.Doc, &o); err != nil {
			return fmt.Errorf("evac: order %s: %w", rec.ID, err)
		}
		o.Acks = map[string]time.Time{}
		if o.Sent == nil {
			o.Sent = map[string]Sent{}
		}
		acks, err := s.opts.Store.ListRecords(ctx, store.RecordFilter{Collection: colAcks, Ref: o.ID})
		if err != nil {
			return err
		}
		for _, a := range acks {
			o.Acks[a.Owner] = a.At
		}
		orders[o.ID] = &o
	}
	s.mu.Lock()
	for id, o := range orders {
		if _, ok := s.orders[id]; !ok {
			s.orders[id] = o
		}
	}
	a := s.activeLocked()
	s.mu.Unlock()
	if a == nil {
		return nil
	}
	if _, err := s.GetPlan(a.PlanID); err == nil {
		return nil
	}
	req, err := ParseRequest(a.Request, s.opts.Scene.Frame())
	if err != nil {
		s.log.Error("the standing order's plan cannot be re-made", "order", a.ID, "err", err)
		return nil
	}
	p := &Plan{ID: a.PlanID, Request: req, By: a.By, CreatedAt: a.At, EditedAt: a.At}
	if err := s.plan(ctx, p); err != nil {
		return err
	}
	s.mu.Lock()
	s.plans[p.ID] = p
	s.order = append(s.order, p.ID)
	s.mu.Unlock()
	s.log.Info("standing evacuation order resumed", "order", a.ID, "plan", p.ID)
	return nil
}

// RollCall is the roll call at now, counted from the standing order (or
// now when none stands).
func (s *Service) RollCall() RollCall {
	now := s.opts.Clock()
	s.mu.Lock()
	since := now
	if o := s.activeLocked(); o != nil {
		since = o.At
	}
	s.mu.Unlock()
	return Take(s.opts.Scene, RollOptions{Now: now, Since: since})
}

// Location is the site's time zone.
func (s *Service) Location() *time.Location { return s.opts.Location }

// lonlat converts plant metres to lon/lat.
func (s *Service) lonlat(p [2]float64) orb.Point { return s.opts.Scene.Frame().FastPoint(p[0], p[1]) }

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
