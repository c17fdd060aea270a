package form

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/permit"
)

// Two published unified social credit codes, check characters included
// (GB 32100-2015 test vectors).
const (
	codeA = "914403001922038216"
	codeB = "91110000802100433B"
)

// fixture is one permit of every type, some accepted, and the alarms the
// permit service raises for them, plus alarms that are not exported.
func fixture(t *testing.T) ([]*permit.Permit, []alarm.Alarm) {
	t.Helper()
	r := permit.Default()
	var ps []*permit.Permit
	for i, typ := range permit.TypeKeys {
		ps = append(ps, walk(t, r, typ, i%2 == 0))
	}
	cleared := t0.Add(2 * time.Hour)
	alarms := []alarm.Alarm{
		{ID: "A1", Type: alarm.PermitGuardianAbsent, Level: alarm.LevelHigh, State: alarm.Cleared, EntityID: "PTW-hot_work",
			RaisedAt: t0.Add(time.Hour), ClearedAt: &cleared, Message: "作业票 PTW-hot_work 监护人 P-3 脱岗", MessageEn: "guardian off post",
			Details: map[string]any{"permit_id": "PTW-hot_work", "guardian": "P-3", "ptw_code": "31"}},
		{ID: "A2", Type: alarm.PermitBlocked, Level: alarm.LevelMedium, State: alarm.Active, EntityID: "PTW-height",
			RaisedAt: t0, Details: map[string]any{"permit_id": "PTW-height", "code": "approver_not_on_site", "ptw_code": "30"}},
		// An expiry alarm as the store gives it back: no ptw_code; the
		// type names it.
		{ID: "A3", Type: alarm.PermitExpired, Level: alarm.LevelMedium, State: alarm.Active, EntityID: "PTW-lifting", RaisedAt: t0.Add(8 * time.Hour)},
		// Gas near the work: a permit alarm without a PTW code.
		{ID: "A4", Type: alarm.PermitGasExceeded, Level: alarm.LevelHigh, State: alarm.Active, EntityID: "PTW-confined_space",
			RaisedAt: t0.Add(3 * time.Hour), Details: map[string]any{"permit_id": "PTW-confined_space", "detector_id": "GD-1"}},
		// A code after a JSON round trip: a number.
		{ID: "A5", Type: alarm.PermitBlocked, Level: alarm.LevelMedium, State: alarm.Active, EntityID: "PTW-9",
			RaisedAt: t0, Details: map[string]any{"permit_id": "PTW-9", "ptw_code": float64(2)}},
		// Not exported:
		{ID: "X1", Type: alarm.PermitOvercrowded, Level: alarm.LevelMedium, State: alarm.Active, RaisedAt: t0},           // no permit id
		{ID: "X2", Type: alarm.GasLevel1, Level: alarm.LevelMedium, State: alarm.Active, EntityID: "GD-1", RaisedAt: t0}, // not a permit alarm
		{ID: "X3", Type: alarm.PermitBlocked, Level: alarm.LevelMedium, State: alarm.Active, EntityID: "PTW-9", RaisedAt: t0,
			Details: map[string]any{"permit_id": "PTW-9", "ptw_code": "99"}}, // no such code
		{ID: "X4", Type: alarm.PermitBlocked, Level: alarm.LevelMedium, State: alarm.Active, EntityID: "PTW-9", RaisedAt: t0,
			Details: map[string]any{"permit_id": "PTW-9", "ptw_code": "3a"}}, // no code at all
	}
	return ps, alarms
}

func options() ExportOptions {
	return ExportOptions{EnterpriseCode: codeA, GeneratedAt: t0.Add(10 * time.Hour).UTC(),
		Describe: func(p *permit.Permit) Extra {
			return Extra{AreaID: "area-tank", AreaName: "罐区, \"A\"", Content: "检修 " + p.ID, Unit: "二车间"}
		}}
}

// TestExportCodes checks every permit record against the rules it came
// from, and the alarms kept and skipped.
func TestExportCodes(t *testing.T) {
	r := permit.Default()
	ps, alarms := fixture(t)
	doc, err := Export(ps, alarms, r, options())
	if err != nil {
		t.Fatal(err)
	}
	if doc.Standard != "AQ 3064.2-2025 Annex A" || doc.EnterpriseCode != codeA || doc.RulesVersion != r.Version ||
		doc.GeneratedAt.Format(time.RFC3339) != "2026-11-30T19:00:00+08:00" || len(doc.Permits) != len(ps) {
		t.Fatalf("document head: %+v", doc)
	}
	for i, rec := range doc.Permits {
		p := ps[i]
		ty, _ := r.Type(p.Type)
		l, _ := ty.Level(p.Level)
		code, _ := r.StatusCode(p.Status)
		switch {
		case rec.ID != p.ID || rec.TypeCode != l.Code || rec.Type != p.Type || rec.TypeName != ty.NameZh || rec.Level != p.Level:
			t.Errorf("%s: type %s %s %s", p.ID, rec.TypeCode, rec.Type, rec.Level)
		case rec.StatusCode != code || rec.Status != p.Status || rec.StatusCode != map[string]int{"accepted": 3, "in_progress": 2}[p.Status]:
			t.Errorf("%s: status %d %s (%s)", p.ID, rec.StatusCode, rec.Status, p.Status)
		case rec.Place.Lon == nil || math.Abs(*rec.Place.Lon-121.5001) > 1e-9 || math.Abs(*rec.Place.Lat-31.2001) > 1e-9 || rec.Place.AreaName != "罐区, \"A\"" || !rec.Place.FireArea:
			t.Errorf("%s: place %+v", p.ID, rec.Place)
		case rec.Content != "检修 "+p.ID || rec.Unit != "二车间" || !rec.Start.Equal(t0) || rec.Start.Format(time.RFC3339) != "2026-11-30T09:00:00+08:00":
			t.Errorf("%s: content %q, start %v", p.ID, rec.Content, rec.Start)
		case !reflect.DeepEqual(rec.Workers, []string{"P-1", "P-2"}) || rec.Guardian != "P-3" || !reflect.DeepEqual(rec.Related, []string{"PTW-other"}):
			t.Errorf("%s: people %v %s %v", p.ID, rec.Workers, rec.Guardian, rec.Related)
		case len(rec.Approvers) != 2 || rec.Approvers[0].User != "unit_head" || rec.Approvers[1].N != 2 || rec.Approvers[1].SignedAt == nil ||
			!rec.Approvers[1].SignedAt.Equal(t0.Add(-3*time.Minute)):
			t.Errorf("%s: approvers %+v", p.ID, rec.Approvers)
		case rec.MeasuresConfirmed != len(ty.Measures) || rec.MeasuresTotal != len(ty.Measures):
			t.Errorf("%s: measures %d/%d", p.ID, rec.MeasuresConfirmed, rec.MeasuresTotal)
		case len(rec.GasAnalyses) != len(p.GasAnalyses) || rec.GasAnalyses[len(rec.GasAnalyses)-1].Limit != 0.5 || !rec.GasAnalyses[0].Pass:
			t.Errorf("%s: gas %+v", p.ID, rec.GasAnalyses)
		case rec.LogHeadHash != p.Log[len(p.Log)-1].Hash || rec.LogEntries != len(p.Log):
			t.Errorf("%s: log head %s", p.ID, rec.LogHeadHash)
		case (rec.Accepted != nil) != (p.Status == "accepted") || rec.RiskAnalysis == nil || rec.Briefing.By != "P-3":
			t.Errorf("%s: accepted %+v", p.ID, rec.Accepted)
		}
		if want := map[string]string{"hot_work": "03", "confined_space": "70", "blind_plate": "50", "height": "23", "lifting": "62",
			"temp_power": "10", "excavation": "30", "road_break": "40"}[p.Type]; rec.TypeCode != want {
			t.Errorf("%s: type code %s, want %s (AQ 3064.2)", p.ID, rec.TypeCode, want)
		}
	}
	wantAlarms := map[string]string{"A1": "31", "A2": "30", "A3": "10", "A4": "", "A5": "02"}
	if len(doc.Alarms) != len(wantAlarms) {
		t.Fatalf("%d alarms exported, want %d: %+v", len(doc.Alarms), len(wantAlarms), doc.Alarms)
	}
	for _, a := range doc.Alarms {
		if a.PTWCode != wantAlarms[a.ID] {
			t.Errorf("alarm %s: PTW %q, want %q", a.ID, a.PTWCode, wantAlarms[a.ID])
		}
		if a.PTWCode != "" {
			if c, err := r.Alarm(map[string]string{"31": "guardian_absent", "30": "approver_not_on_site", "10": "expired", "02": "gas_analysis_stale"}[a.PTWCode]); err != nil || c.Zh != a.PTWName {
				t.Errorf("alarm %s: PTW name %q", a.ID, a.PTWName)
			}
		}
	}
	if a := doc.Alarms[0]; a.PermitID != "PTW-hot_work" || a.Type != "permit_guardian_absent" || a.Level != 3 || a.State != "cleared" ||
		a.ClearedAt == nil || a.ClearedAt.Format(time.RFC3339) != "2026-11-30T11:00:00+08:00" || a.Message == "" || a.AckedAt != nil {
		t.Errorf("alarm A1: %+v", a)
	}
	if doc.Alarms[2].PermitID != "PTW-lifting" {
		t.Errorf("an expiry alarm without details takes its entity id: %+v", doc.Alarms[2])
	}
	skipped := map[string]string{}
	for _, s := range doc.Skipped {
		skipped[s.AlarmID] = s.Reason
	}
	want := map[string]string{"X1": "no permit id", "X2": "not a permit alarm", "X3": "PTW code 99 is not in the rules", "X4": "PTW code 3a is not a two-digit code"}
	if !reflect.DeepEqual(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
}

// TestExportRoundTrip encodes a document, decodes it and encodes it again
// to the same bytes; the decoded document equals the original.
func TestExportRoundTrip(t *testing.T) {
	ps, alarms := fixture(t)
	doc, err := Export(ps, alarms, nil, options())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var back Document
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if !bytes.Equal(b, b2) {
		t.Fatalf("round trip changed the document:\n%s\n%s", b, b2)
	}
	if len(back.Permits) != len(doc.Permits) || len(back.Alarms) != len(doc.Alarms) || back.Permits[3].LogHeadHash != doc.Permits[3].LogHeadHash ||
		!back.Permits[0].GasAnalyses[0].SampledAt.Equal(doc.Permits[0].GasAnalyses[0].SampledAt) {
		t.Error("round trip lost records")
	}
	var keys map[string]json.RawMessage
	json.Unmarshal(b, &keys)
	for _, k := range []string{"standard", "enterprise_code", "generated_at", "permits", "alarms"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("no %q in the document", k)
		}
	}
	if _, ok := keys["skipped"]; ok {
		t.Error("skipped alarms leaked into the exchange")
	}
	// Lists are [] and never null, so that receivers need no null checks.
	empty, err := Export(nil, nil, nil, ExportOptions{GeneratedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(empty); !strings.Contains(string(b), `"permits":[]`) || !strings.Contains(string(b), `"alarms":[]`) {
		t.Errorf("empty document: %s", b)
	}
}

// TestExportRefuses bad input with ErrInvalid.
func TestExportRefuses(t *testing.T) {
	r := permit.Default()
	p := walk(t, r, "road_break", false)
	clone := func(edit func(*permit.Permit)) []*permit.Permit {
		b, _ := json.Marshal(p)
		var q permit.Permit
		json.Unmarshal(b, &q)
		edit(&q)
		return []*permit.Permit{&q}
	}
	ok := ExportOptions{GeneratedAt: t0}
	cases := map[string]struct {
		ps  []*permit.Permit
		opt ExportOptions
	}{
		"nil permit":      {[]*permit.Permit{nil}, ok},
		"twice":           {[]*permit.Permit{p, p}, ok},
		"unknown type":    {clone(func(q *permit.Permit) { q.Type = "x" }), ok},
		"unknown level":   {clone(func(q *permit.Permit) { q.Level = "5" }), ok},
		"unknown status":  {clone(func(q *permit.Permit) { q.Status = "lost" }), ok},
		"NaN gas":         {clone(func(q *permit.Permit) { q.GasAnalyses[0].Value = math.NaN() }), ok},
		"no time":         {[]*permit.Permit{p}, ExportOptions{}},
		"short code":      {[]*permit.Permit{p}, ExportOptions{GeneratedAt: t0, EnterpriseCode: "9144030019220382"}},
		"bad check":       {[]*permit.Permit{p}, ExportOptions{GeneratedAt: t0, EnterpriseCode: "914403001922038217"}},
		"bad character":   {[]*permit.Permit{p}, ExportOptions{GeneratedAt: t0, EnterpriseCode: "91440300192203821I"}},
		"lowercase code":  {[]*permit.Permit{p}, ExportOptions{GeneratedAt: t0, EnterpriseCode: strings.ToLower(codeB)}},
		"code with space": {[]*permit.Permit{p}, ExportOptions{GeneratedAt: t0, EnterpriseCode: " " + codeA[1:]}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Export(c.ps, nil, r, c.opt); !errors.Is(err, ErrInvalid) {
				t.Errorf("err %v, want ErrInvalid", err)
			}
		})
	}
	for _, code := range []string{codeA, codeB} {
		if err := ValidEnterpriseCode(code); err != nil {
			t.Errorf("%s: %v", code, err)
		}
	}
}

// TestWriteCSV writes the permits as CSV: a BOM, a header, one row per
// permit, commas and quotes escaped, formulas defused.
func TestWriteCSV(t *testing.T) {
	ps, alarms := fixture(t)
	ps[0].Related = []string{"=HYPERLINK(\"http://x\")"}
	doc, err := Export(ps, alarms, nil, options())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, doc); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\uFEFF作业票编号 id,") {
		t.Fatalf("no BOM and header: %q", out[:40])
	}
	if !strings.Contains(out, `"罐区, ""A"""`) {
		t.Error("a comma and quotes in a cell not quoted per RFC 4180")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(ps) {
		t.Fatalf("%d rows, want a header and %d permits", len(rows), len(ps))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h[strings.LastIndexByte(h, ' ')+1:]] = i
	}
	for i, p := range doc.Permits {
		row := rows[i+1]
		if len(row) != len(rows[0]) || row[col["id"]] != p.ID || row[col["type_code"]] != p.TypeCode ||
			row[col["area_name"]] != `罐区, "A"` || row[col["log_head_hash"]] != p.LogHeadHash || row[col["lon"]] != "121.5001000" ||
			row[col["measures"]] != strconv.Itoa(p.MeasuresTotal)+" / "+strconv.Itoa(p.MeasuresTotal) ||
			row[col["start"]] != "2026-11-30T09:00:00+08:00" || !strings.Contains(row[col["approvers"]], "unit_head 2026-11-30T08:55:00+08:00") {
			t.Errorf("row %d: %q", i+1, row)
		}
	}
	if got := rows[1][col["related"]]; got != `'=HYPERLINK("http://x")` {
		t.Errorf("a formula cell not defused: %q", got)
	}
}

// ExampleExport exports a permit and writes the exchange document.
func ExampleExport() {
	r := permit.Default()
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	p, _ := r.New(permit.Request{ID: "PTW-20261201-1", Type: "height", Level: "4", Start: start, End: start.Add(8 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-2", Approvers: []string{"chief"}})
	p.Record("operator", "create", nil, start.Add(-time.Hour))
	doc, _ := Export([]*permit.Permit{p}, nil, r, ExportOptions{EnterpriseCode: "914403001922038216", GeneratedAt: start})
	rec := doc.Permits[0]
	fmt.Println(doc.Standard, rec.ID, rec.TypeCode, rec.LevelName, rec.StatusCode, rec.StatusName, rec.ApproverRole)
	fmt.Println(rec.Start.Format(time.RFC3339), rec.MeasuresConfirmed, "of", rec.MeasuresTotal, "measures confirmed")
	// Output:
	// AQ 3064.2-2025 Annex A PTW-20261201-1 24 Ⅳ级 0 已预约 厂长或总工程师
	// 2026-12-01T17:00:00+08:00 0 of 8 measures confirmed
}

// FuzzWriteCSV exports a permit with arbitrary text in its free fields:
// the CSV reads back to the same cells (formula cells behind their ').
func FuzzWriteCSV(f *testing.F) {
	f.Add("罐区, \"A\"", "line\nbreak", "=1+1")
	f.Add("", "\r\n", "@SUM(A1)")
	f.Add("\"", ",,,", "-3")
	r := permit.Default()
	f.Fuzz(func(t *testing.T, area, content, related string) {
		p, err := r.New(permit.Request{ID: "PTW-F", Type: "excavation", Start: t0, End: t0.Add(time.Hour),
			Workers: []string{"W"}, Guardian: "G", Approvers: []string{"A"}, Related: []string{related}})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Export([]*permit.Permit{p}, nil, r, ExportOptions{GeneratedAt: t0,
			Describe: func(*permit.Permit) Extra { return Extra{AreaName: area, Content: content} }})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteCSV(&b, doc); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF"))).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		for i, want := range map[int]string{8: area, 9: content, 18: related} {
			if got := rows[1][i]; got != text(want) {
				t.Errorf("cell %d: %q, want %q", i, got, text(want))
			}
		}
	})
}
