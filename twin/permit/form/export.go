package form

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/permit"
)

// Standard names the exchange format a Document follows.
const Standard = "AQ 3064.2-2025 Annex A"

// ExportOptions say who exports and what the permit records do not hold.
type ExportOptions struct {
	// EnterpriseCode is the enterprise's unified social credit code
	// (统一社会信用代码, GB 32100-2015: 18 characters with a check
	// character), the COMPANY_CODE of AQ 3064.1 Annex A. "" exports
	// without one (for inspectors' copies); anything else must be valid.
	EnterpriseCode string
	// GeneratedAt is when the document is made; required.
	GeneratedAt time.Time
	// Zone is the site's time zone, the offset every time is written in;
	// default UTC+8.
	Zone *time.Location
	// Describe gives what the record of p does not hold (its area, the
	// description of the work, the applying unit); nil leaves them empty.
	Describe func(p *permit.Permit) Extra
}

// Extra is what the caller knows of a permit beyond its record.
type Extra struct {
	AreaID   string // the scene area (or unit) the work lies in
	AreaName string
	Content  string // 作业内容
	Unit     string // 申请单位
}

// Document is one exchange of permit and alarm records, JSON-serialisable.
// Field names are English snake_case designed from REFERENCE §3 — verify
// against AQ 3064.2 Annex A (see the package doc).
type Document struct {
	Standard       string         `json:"standard"`        // "AQ 3064.2-2025 Annex A"
	RulesVersion   string         `json:"rules_version"`   // the permit rule tables the codes come from (rules.json version)
	EnterpriseCode string         `json:"enterprise_code"` // GB 32100-2015 unified social credit code, or ""
	GeneratedAt    time.Time      `json:"generated_at"`    // RFC 3339 with the site's offset
	Permits        []PermitRecord `json:"permits"`
	Alarms         []AlarmRecord  `json:"alarms"`
	// Skipped are the alarms given that are not exported: alarms of no
	// permit, or with a PTW code the rules do not define. They are not
	// part of the exchange; the caller logs or shows them.
	Skipped []Skipped `json:"-"`
}

// PermitRecord is one permit (作业票) in the exchange. verify: field names
// against AQ 3064.2 Annex A.
type PermitRecord struct {
	ID         string `json:"id"`          // 作业票编号
	TypeCode   string `json:"type_code"`   // 作业类型代码, AQ 3064.2: 01/02/03 hot work 特级/一级/二级, 10 temporary power, 21–24 height Ⅰ–Ⅳ, 30 excavation, 40 road breaking, 50 blind plate, 61–63 lifting 一–三级, 70 confined space
	Type       string `json:"type"`        // the type key: hot_work, confined_space, blind_plate, height, lifting, temp_power, excavation, road_break
	TypeName   string `json:"type_name"`   // 作业类型, zh
	Level      string `json:"level"`       // the level key: special/1/2 (hot work), 1–4 (height), 1–3 (lifting), pull/plug (blind plate), "" (unranked types)
	LevelName  string `json:"level_name"`  // 作业级别, zh ("" for unranked types)
	StatusCode int    `json:"status_code"` // 作业票状态, AQ 3064.2 Annex A: 0 not issued, 1 issued, 2 in progress, 3 accepted, 4 void, 5 revoked, 6 suspended
	Status     string `json:"status"`      // the status word (booked, applied, approved, in_progress, suspended, accepted, cancelled, void, expired)
	StatusName string `json:"status_name"` // zh
	Place      Place  `json:"place"`       // 作业地点
	Content    string `json:"content"`     // 作业内容
	Unit       string `json:"unit"`        // 申请单位
	// Start and End bound the work (作业时间), with the site's offset.
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Workers  []string  `json:"workers"`  // 作业人, person ids
	Guardian string    `json:"guardian"` // 监护人, person id
	// ApproverRole is the approving role of the level (GB 30871-2022 Table
	// B.1), zh; Approvers the named approvers in signing order.
	ApproverRole string     `json:"approver_role"`
	Approvers    []Approval `json:"approvers"`
	RiskAnalysis *Sign      `json:"risk_analysis"` // 风险辨识 (JHA) recorded by and when; null when not yet
	Briefing     *Sign      `json:"briefing"`      // 安全交底 given by and when; null when not yet
	GasAnalyses  []Gas      `json:"gas_analyses"`  // 气体分析
	// MeasuresConfirmed of MeasuresTotal checklist measures are confirmed
	// (安全措施确认).
	MeasuresConfirmed int      `json:"measures_confirmed"`
	MeasuresTotal     int      `json:"measures_total"`
	Related           []string `json:"related"` // 关联的其他特殊作业票编号
	// UpgradedFrom is the level asked for when hot work was upgraded
	// (GB 30871-2022 §5.2), with the reasons (night, rest_day, holiday,
	// special_period, wind); empty when it was not.
	UpgradedFrom   string   `json:"upgraded_from,omitempty"`
	UpgradeReasons []string `json:"upgrade_reasons,omitempty"`
	Warnings       []string `json:"warnings,omitempty"` // simultaneous-operation warnings, "kind:subject"
	Reason         string   `json:"reason,omitempty"`   // of the cancellation or last suspension
	Accepted       *Sign    `json:"accepted"`           // 完工验收 by and when; null when not yet
	// LogHeadHash is the SHA-256 hash of the permit log's last entry (the
	// head of its hash chain, twin/permit log.go), LogEntries the number
	// of entries: a receiver holding an earlier export can check that the
	// history only grew.
	LogHeadHash string `json:"log_head_hash"`
	LogEntries  int    `json:"log_entries"`
}

// Place is where the work is: the centre of its area (WGS84 lon/lat,
// null without a geometry) and the scene area that holds it.
type Place struct {
	Lon      *float64 `json:"lon"`
	Lat      *float64 `json:"lat"`
	AreaID   string   `json:"area_id"`
	AreaName string   `json:"area_name"`
	FireArea bool     `json:"fire_area"` // in a fire and explosion hazard area
}

// Approval is one named approver and, once signed, when.
type Approval struct {
	N        int        `json:"n"`         // signing order, from 1
	User     string     `json:"user"`      // user name
	SignedAt *time.Time `json:"signed_at"` // null until signed
}

// Sign is who did a step and when.
type Sign struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Gas is one gas analysis (分析时间, 分析介质, 分析数据, 结论, 分析人).
type Gas struct {
	Gas       string    `json:"gas"`        // substance id (twin/substance)
	Value     float64   `json:"value"`      // as analysed, in Unit
	Unit      string    `json:"unit"`       // %LEL, %VOL, ppm, mg/m3
	SampledAt time.Time `json:"sampled_at"` // 分析时间
	By        string    `json:"by"`         // 分析人
	Pass      bool      `json:"pass"`       // 结论: true 合格
	// Min (oxygen only) and Limit bound the pass rule, in LimitUnit
	// (GB 30871-2022: LEL ≥ 4 %vol → ≤ 0.5 %vol, below → ≤ 0.2 %vol;
	// oxygen 19.5–21 %vol; toxic gases at GBZ 2.1); Rule names it.
	Min       float64 `json:"min,omitempty"`
	Limit     float64 `json:"limit"`
	LimitUnit string  `json:"limit_unit"`
	Rule      string  `json:"rule"`
}

// AlarmRecord is one permit alarm in the exchange. verify: field names
// against AQ 3064.2 Annex A.
type AlarmRecord struct {
	ID       string `json:"id"`
	PermitID string `json:"permit_id"` // 作业票编号
	// PTWCode is the AQ 3064.2 PTW alarm code (01–90, REFERENCE §3), ""
	// for alarms the code list has no entry for (gas near the work,
	// strangers inside the work area); PTWName its name, zh.
	PTWCode   string     `json:"ptw_code"`
	PTWName   string     `json:"ptw_name"`
	Type      string     `json:"type"`  // the alarm type (permit_blocked, permit_guardian_absent, permit_gas_exceeded, permit_overcrowded, permit_expired)
	Level     int        `json:"level"` // 1 low … 3 high
	State     string     `json:"state"` // active, acknowledged, cleared
	RaisedAt  time.Time  `json:"raised_at"`
	AckedAt   *time.Time `json:"acked_at"`
	ClearedAt *time.Time `json:"cleared_at"` // null while the condition lasts
	Message   string     `json:"message"`    // zh
	MessageEn string     `json:"message_en"`
}

// Skipped is an alarm left out of a Document, and why.
type Skipped struct {
	AlarmID string
	Type    string
	Reason  string
}

// ptwKeys are the PTW alarm keys (rules.json alarms) of the permit alarm
// types that always carry one; other types take details.ptw_code.
var ptwKeys = map[alarm.Type]string{
	alarm.PermitGuardianAbsent: "guardian_absent", // PTW 31
	alarm.PermitExpired:        "expired",         // PTW 10
}

// Export makes the exchange document of permits ps and alarms as after
// AQ 3064.2-2025 Annex A, every code taken from r (nil: the embedded
// rules). Permits must be distinct, with a type, level and status the
// rules know (ErrInvalid otherwise). Alarms are kept when they name a
// permit — details.permit_id, or the entity id of a permit_* alarm — and
// carry no PTW code the rules lack; the others are listed in Skipped.
// Alarms of permits not in ps are kept (the permit may have been exported
// before).
func Export(ps []*permit.Permit, alarms []alarm.Alarm, r *permit.Rules, opt ExportOptions) (Document, error) {
	if r == nil {
		var err error
		if r, err = permit.Load(); err != nil {
			return Document{}, err
		}
	}
	if opt.GeneratedAt.IsZero() {
		return Document{}, invalid("no generation time")
	}
	if opt.EnterpriseCode != "" {
		if err := ValidEnterpriseCode(opt.EnterpriseCode); err != nil {
			return Document{}, err
		}
	}
	loc := zoneOr(opt.Zone)
	doc := Document{Standard: Standard, RulesVersion: r.Version, EnterpriseCode: opt.EnterpriseCode,
		GeneratedAt: opt.GeneratedAt.In(loc), Permits: make([]PermitRecord, 0, len(ps)), Alarms: []AlarmRecord{}}
	seen := make(map[string]bool, len(ps))
	for i, p := range ps {
		if p == nil {
			return Document{}, invalid("permit %d is nil", i)
		}
		if seen[p.ID] {
			return Document{}, invalid("permit %s given twice", p.ID)
		}
		seen[p.ID] = true
		rec, err := permitRecord(p, r, loc, opt.Describe)
		if err != nil {
			return Document{}, err
		}
		doc.Permits = append(doc.Permits, rec)
	}
	for _, a := range alarms {
		rec, why := alarmRecord(a, r, loc)
		if why != "" {
			doc.Skipped = append(doc.Skipped, Skipped{AlarmID: a.ID, Type: string(a.Type), Reason: why})
			continue
		}
		doc.Alarms = append(doc.Alarms, rec)
	}
	return doc, nil
}

func permitRecord(p *permit.Permit, r *permit.Rules, loc *time.Location, describe func(*permit.Permit) Extra) (PermitRecord, error) {
	res, err := resolve(p, r)
	if err != nil {
		return PermitRecord{}, err
	}
	var ex Extra
	if describe != nil {
		ex = describe(p)
	}
	if ex.Content == "" {
		ex.Content = p.Content
	}
	rec := PermitRecord{ID: p.ID, TypeCode: res.level.Code, Type: p.Type, TypeName: res.typ.NameZh,
		Level: p.Level, LevelName: res.level.NameZh, StatusCode: res.status.Code, Status: p.Status, StatusName: res.status.NameZh,
		Place:   Place{AreaID: ex.AreaID, AreaName: ex.AreaName, FireArea: p.FireArea},
		Content: ex.Content, Unit: ex.Unit, Start: p.Start.In(loc), End: p.End.In(loc),
		Workers: nonNil(p.Workers), Guardian: p.Guardian, ApproverRole: res.approverZh, Approvers: []Approval{},
		RiskAnalysis: sign(p.RiskAnalysis, loc), Briefing: sign(p.Briefing, loc), GasAnalyses: []Gas{},
		MeasuresTotal: len(p.Measures), Related: nonNil(p.Related), UpgradedFrom: p.UpgradedFrom,
		UpgradeReasons: slices.Clone(p.UpgradeReasons), Warnings: slices.Clone(p.Warnings), Reason: p.Reason,
		LogHeadHash: head(p), LogEntries: len(p.Log)}
	if c, ok := centre(p); ok {
		lon, lat := c[0], c[1]
		rec.Place.Lon, rec.Place.Lat = &lon, &lat
	}
	for i, user := range p.Approvers {
		a := Approval{N: i + 1, User: user}
		if i < len(p.Approvals) {
			at := p.Approvals[i].At.In(loc)
			a.SignedAt = &at
		}
		rec.Approvers = append(rec.Approvers, a)
	}
	for _, m := range p.Measures {
		if m.Confirmed != nil {
			rec.MeasuresConfirmed++
		}
	}
	for _, a := range p.GasAnalyses {
		v := a.Verdict
		if !finite(a.Value, v.Min, v.Limit) {
			return PermitRecord{}, invalid("permit %s: gas analysis of %s at %s: a value or limit is not a finite number", p.ID, a.Gas, a.SampledAt.Format(time.RFC3339))
		}
		rec.GasAnalyses = append(rec.GasAnalyses, Gas{Gas: a.Gas, Value: a.Value, Unit: string(a.Unit), SampledAt: a.SampledAt.In(loc),
			By: a.By, Pass: v.Pass, Min: v.Min, Limit: v.Limit, LimitUnit: string(v.Unit), Rule: v.Rule})
	}
	if s, ok := acceptance(p); ok {
		rec.Accepted = sign(&s, loc)
	}
	return rec, nil
}

// alarmRecord is a's exchange record, or why a is not exported.
func alarmRecord(a alarm.Alarm, r *permit.Rules, loc *time.Location) (AlarmRecord, string) {
	id, _ := a.Details["permit_id"].(string)
	isPermit := strings.HasPrefix(string(a.Type), "permit_")
	if id == "" && isPermit {
		id = a.EntityID
	}
	switch {
	case id == "" && isPermit:
		return AlarmRecord{}, "no permit id"
	case id == "":
		return AlarmRecord{}, "not a permit alarm"
	}
	rec := AlarmRecord{ID: a.ID, PermitID: id, Type: string(a.Type), Level: a.Level, State: string(a.State),
		RaisedAt: a.RaisedAt.In(loc), AckedAt: inZone(a.AckedAt, loc), ClearedAt: inZone(a.ClearedAt, loc),
		Message: a.Message, MessageEn: a.MessageEn}
	code, ok := ptwCode(a.Details["ptw_code"])
	if !ok {
		return AlarmRecord{}, fmt.Sprintf("PTW code %v is not a two-digit code", a.Details["ptw_code"])
	}
	if code == "" {
		if key, ok := ptwKeys[a.Type]; ok {
			if c, err := r.Alarm(key); err == nil {
				code = c.Code
			}
		}
	}
	if code != "" {
		found := false
		for _, c := range r.Alarms {
			if c.Code == code {
				rec.PTWCode, rec.PTWName, found = c.Code, c.Zh, true
			}
		}
		if !found {
			return AlarmRecord{}, "PTW code " + code + " is not in the rules"
		}
	}
	return rec, ""
}

// ptwCode reads details.ptw_code: a string, or a number as a JSON round
// trip leaves it; "" and true when there is none.
func ptwCode(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, v == "" || len(v) == 2 && v[0] >= '0' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9'
	case float64:
		if v >= 0 && v < 100 && v == math.Trunc(v) {
			return fmt.Sprintf("%02d", int(v)), true
		}
	case int:
		if v >= 0 && v < 100 {
			return fmt.Sprintf("%02d", v), true
		}
	}
	return "", false
}

func sign(s *permit.Signed, loc *time.Location) *Sign {
	if s == nil {
		return nil
	}
	return &Sign{By: s.By, At: s.At.In(loc)}
}

func inZone(t *time.Time, loc *time.Location) *time.Time {
	if t == nil {
		return nil
	}
	u := t.In(loc)
	return &u
}

// nonNil is a copy of s, [] rather than null when empty.
func nonNil(s []string) []string {
	return append([]string{}, s...)
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// GB 32100-2015 unified social credit code: 18 characters of this
// alphabet (no I, O, S, V, Z), the last a check character over the first
// 17 with these weights (3^i mod 31).
const (
	creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	creditLen      = 18
)

var creditWeights = [creditLen - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidEnterpriseCode checks a unified social credit code (统一社会信用代码,
// GB 32100-2015): 18 characters of its alphabet and a matching check
// character.
func ValidEnterpriseCode(code string) error {
	if len(code) != creditLen {
		return invalid("enterprise code %q: want the 18-character unified social credit code (GB 32100-2015)", code)
	}
	sum := 0
	for i := 0; i < creditLen-1; i++ {
		n := strings.IndexByte(creditAlphabet, code[i])
		if n < 0 {
			return invalid("enterprise code %q: character %d %q is not in the GB 32100-2015 alphabet", code, i+1, code[i])
		}
		sum += n * creditWeights[i]
	}
	check := (31 - sum%31) % 31
	if code[creditLen-1] != creditAlphabet[check] {
		return invalid("enterprise code %q: check character %q, want %q (GB 32100-2015)", code, code[creditLen-1], creditAlphabet[check])
	}
	return nil
}

// csvHeader names the CSV columns: Chinese for the inspector, then the
// JSON field.
var csvHeader = []string{
	"作业票编号 id", "作业类型代码 type_code", "作业类型 type_name", "作业级别 level_name",
	"状态码 status_code", "状态 status_name", "经度 lon", "纬度 lat", "作业区域 area_name",
	"作业内容 content", "申请单位 unit", "开始时间 start", "结束时间 end", "作业人 workers", "监护人 guardian",
	"审批人 approvers", "气体分析 gas_analyses", "安全措施确认 measures", "关联作业票 related",
	"末条哈希 log_head_hash",
}

// WriteCSV writes doc's permits as CSV, one row per permit under a header
// row, UTF-8 with a byte-order mark so that Excel opens the Chinese text
// correctly, rows ended by CR LF (RFC 4180). Line breaks inside text cells
// become line feeds; text cells that a spreadsheet would take for a
// formula (starting = + - @ or tab) are prefixed with ' (OWASP CSV
// injection).
func WriteCSV(w io.Writer, doc Document) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180, and what Excel writes
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, p := range doc.Permits {
		if err := cw.Write(csvRow(p)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvRow(p PermitRecord) []string {
	var approvers, gases []string
	for _, a := range p.Approvers {
		at := "未签"
		if a.SignedAt != nil {
			at = a.SignedAt.Format(time.RFC3339)
		}
		approvers = append(approvers, a.User+" "+at)
	}
	for _, g := range p.GasAnalyses {
		verdict := "不合格"
		if g.Pass {
			verdict = "合格"
		}
		gases = append(gases, fmt.Sprintf("%s %s %s %s %s", g.SampledAt.Format(time.RFC3339), g.Gas, num(g.Value), g.Unit, verdict))
	}
	coord := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 7, 64)
	}
	return []string{
		text(p.ID), p.TypeCode, text(p.TypeName), text(p.LevelName),
		strconv.Itoa(p.StatusCode), text(p.StatusName), coord(p.Place.Lon), coord(p.Place.Lat), text(p.Place.AreaName),
		text(p.Content), text(p.Unit), p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339),
		text(strings.Join(p.Workers, "; ")), text(p.Guardian),
		text(strings.Join(approvers, "; ")), text(strings.Join(gases, "; ")),
		fmt.Sprintf("%d / %d", p.MeasuresConfirmed, p.MeasuresTotal), text(strings.Join(p.Related, "; ")),
		p.LogHeadHash,
	}
}

// lineBreaks makes every line break in a cell a line feed (csv.Writer
// with UseCRLF writes it as CR LF and drops a lone CR).
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// text normalises a free-text cell's line breaks and guards it against
// formula injection.
func text(s string) string {
	s = lineBreaks.Replace(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
