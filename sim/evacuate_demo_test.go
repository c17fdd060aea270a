package sim

import (
	"cmp"
	"context"
	"math"
	"slices"
	"testing"
	"time"

	gevac "github.com/chemtwin/chemtwin/geo/evac"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/twin"
)

// The demo plant evacuates: every person the planner routes (on the
// server's network, from where they truly are) reaches their muster
// point's radius on the ground within 30 min (the longest routes are
// 1.5 km), their walk on the walkways and stairs all the way but for the
// legs to and from the network, and never up; nearly all acknowledge, and
// those told to shelter stay put.
func TestEvacuationDemoPlant(t *testing.T) {
	if testing.Short() {
		t.Skip("30 min of the demo plant")
	}
	ts := demoTwin(t)
	s, err := New(ts, Options{Seed: 1, Start: testStart})
	if err != nil {
		t.Fatal(err)
	}
	now := testStart
	step := func(d time.Duration) []sent {
		var out []sent
		for end := now.Add(d); now.Before(end); {
			now = now.Add(time.Second)
			for _, m := range s.Step(now) {
				out = append(out, sent{now, m})
			}
		}
		return out
	}
	step(3 * time.Minute)
	g, err := route.FromScene(ts)
	if g == nil {
		t.Fatal(err)
	}
	planner, err := gevac.NewPlanner(g, gevac.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := ts.Frame()
	var in gevac.Input
	musterAt, radius := map[string][2]float64{}, map[string]float64{}
	ts.View(func(tx twin.Tx) {
		tx.Kind(twin.KindMusterPoint, func(e *twin.Entity) bool {
			p := plantPoint(f, e.Point())
			musterAt[e.ID], radius[e.ID] = p, e.Float("radius_m", musterRadiusM)
			in.Musters = append(in.Musters, gevac.MusterPoint{ID: e.ID, P: p, RadiusM: radius[e.ID], Capacity: int(e.Float("capacity", 0))})
			return true
		})
	})
	sec := s.m.sec(now.UnixMilli())
	var tags []string
	for tag, p := range s.ev.people {
		ps := p.position(sec)
		floor, _ := s.m.floorZ(ps)
		in.People = append(in.People, gevac.Person{ID: tag, P: ps.p, Floor: floor})
		tags = append(tags, tag)
	}
	plan, err := planner.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	routeOf := map[string]int{}
	for i, r := range plan.Routes {
		routeOf[r.PersonID] = i
		if err := s.Notice(ingest.NotifyTopic(ts.SiteID(), r.PersonID), writeNotice(t, f, now, "EVO-DEMO", plan, i, false, musterAt)); err != nil {
			t.Fatal(err)
		}
	}
	shelter := map[string]pos{}
	out := step(time.Minute)
	for _, tag := range tags {
		if plan.Routes[routeOf[tag]].Reason != "" && s.ev.people[tag].escort == nil {
			shelter[tag] = s.ev.people[tag].position(s.m.sec(now.UnixMilli()))
		}
	}
	out = append(out, step(29*time.Minute)...)
	acks := 0
	for _, m := range out {
		if top, err := ingest.ParseTopic(ts.SiteID(), m.msg.Topic); err == nil && top.Kind == ingest.KindAck {
			acks++
		}
	}
	sec = s.m.sec(now.UnixMilli())
	arrived, latest := 0, 0.0
	for _, tag := range tags {
		p := s.ev.people[tag]
		lead := p
		if p.escort != nil {
			lead = p.escort
		}
		r := plan.Routes[routeOf[lead.tag.id]]
		ps := p.position(sec)
		if r.Reason != "" {
			if at, ok := shelter[tag]; ok && at.p != ps.p {
				t.Errorf("%s told to shelter (%s) moved from %v to %v", tag, r.Reason, at.p, ps.p)
			}
			continue
		}
		floor, _ := s.m.floorZ(ps)
		if d := math.Hypot(ps.p[0]-musterAt[r.MusterID][0], ps.p[1]-musterAt[r.MusterID][1]); d > radius[r.MusterID] || floor != 0 {
			t.Errorf("%s is %.0f m from %s (radius %.0f m) on floor %d after 30 min (route %.0f m, %.0f s)", tag, d, r.MusterID, radius[r.MusterID], floor, r.LengthM, r.EtaS)
			continue
		}
		arrived++
		if w := lead.ev.walk; p == lead {
			// Off the network: at most the joining leg (a person off it),
			// the route's own first leg, the last to the muster point and
			// the one to their place there.
			off := 0
			for _, e := range w.tr.path.Edges {
				if e < 0 {
					off++
				}
			}
			if off > 4 {
				t.Errorf("%s: %d of %d legs matched no walkway: %v", tag, off, len(w.tr.path.Edges), w.tr.path.Edges)
			}
			// Out of a building the way is down: the stacked flights and
			// corridors are told apart (evacuate.go, matchLeg).
			if lv := w.tr.path.Levels; !slices.IsSortedFunc(lv, func(a, b float64) int { return cmp.Compare(b, a) }) {
				t.Errorf("%s climbs on the way out: levels %v", tag, lv)
			}
		}
		if lead.ev != nil && lead.ev.walk.tr != nil {
			latest = max(latest, lead.ev.walk.tr.end()-s.m.sec(now.Add(-30*time.Minute).UnixMilli()))
		}
	}
	t.Logf("demo plant: %d people, %d routed and arrived (the last %.0f s after the order), %d sheltering, %d acknowledged",
		len(tags), arrived, latest, len(shelter), acks)
	if acks < len(tags)*85/100 {
		t.Errorf("%d of %d acknowledged", acks, len(tags))
	}
}
