package form

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/chemtwin/chemtwin/twin/permit"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// t0 is a Monday morning on site (no hot-work upgrade).
var (
	cst = time.FixedZone("CST", 8*3600)
	t0  = time.Date(2026, 11, 30, 9, 0, 0, 0, cst)
)

// levels is one level of each type, as the REST API names them.
var levels = map[string]string{
	"hot_work": "2", "confined_space": "", "blind_plate": "plug", "height": "3",
	"lifting": "2", "temp_power": "", "excavation": "", "road_break": "",
}

// work is the work area of the test permits: a 20 m square near the demo
// plant, lon/lat.
var work = orb.Polygon{{{121.5000, 31.2000}, {121.5002, 31.2000}, {121.5002, 31.2002}, {121.5000, 31.2002}, {121.5000, 31.2000}}}

// step applies one workflow step and logs it, as the service does.
func step(t *testing.T, p *permit.Permit, by, action string, at time.Time, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s %s: %v", p.ID, action, err)
	}
	if _, err := p.Record(by, action, nil, at); err != nil {
		t.Fatal(err)
	}
}

// walk takes a permit of type typ through the real workflow: booked,
// applied, risk analysis, briefing, every measure, a passing gas analysis
// where the type needs one, both approvers, started; and accepted when
// done is set.
func walk(t *testing.T, r *permit.Rules, typ string, done bool) *permit.Permit {
	t.Helper()
	lib := substance.Default()
	p, err := r.New(permit.Request{ID: "PTW-" + typ, Type: typ, Level: levels[typ], Start: t0, End: t0.Add(8 * time.Hour),
		Workers: []string{"P-1", "P-2"}, Guardian: "P-3", Approvers: []string{"unit_head", "safety"},
		Related: []string{"PTW-other"}, FireArea: true, Substance: "methane", When: permit.Conditions{Location: cst}})
	if err != nil {
		t.Fatal(err)
	}
	p.Geometry = geojson.NewGeometry(work)
	step(t, p, "op", "create", t0.Add(-2*time.Hour), nil)
	step(t, p, "op", "apply", t0.Add(-2*time.Hour), r.Apply(p))
	at := t0.Add(-90 * time.Minute)
	step(t, p, "P-3", "risk_analysis", at, r.IdentifyRisk(p, "P-3", at))
	step(t, p, "P-3", "briefing", at, r.Brief(p, "P-3", at))
	for n := range p.Measures {
		step(t, p, "P-3", "confirm_measure", at, r.ConfirmMeasure(p, n+1, "P-3", at))
	}
	if typ == "confined_space" {
		oxygen, _ := lib.Get(substance.Oxygen)
		_, err := r.AddGasAnalysis(p, oxygen, 20.9, substance.PctVol, t0.Add(-12*time.Minute), "analyst", false)
		step(t, p, "analyst", "gas_analysis", t0.Add(-12*time.Minute), err)
	}
	methane, _ := lib.Get("methane")
	_, err = r.AddGasAnalysis(p, methane, 0.1, substance.PctVol, t0.Add(-10*time.Minute), "analyst", false)
	step(t, p, "analyst", "gas_analysis", t0.Add(-10*time.Minute), err)
	step(t, p, "unit_head", "approve", t0.Add(-5*time.Minute), r.Approve(p, "unit_head", true, t0.Add(-5*time.Minute)))
	step(t, p, "safety", "approve", t0.Add(-3*time.Minute), r.Approve(p, "safety", true, t0.Add(-3*time.Minute)))
	step(t, p, "op", "start", t0.Add(time.Minute), r.Start(p, t0.Add(time.Minute), permit.Conditions{Location: cst}))
	if done {
		step(t, p, "acceptor", "close", t0.Add(6*time.Hour), r.Close(p))
	}
	return p
}

var tag = regexp.MustCompile(`<[^>]*>`)

// plain is the text of an HTML page: tags dropped, entities decoded,
// white space collapsed.
func plain(page string) string {
	if i := strings.Index(page, "</style>"); i >= 0 {
		page = page[i:]
	}
	return strings.Join(strings.Fields(html.UnescapeString(tag.ReplaceAllString(page, " "))), " ")
}
