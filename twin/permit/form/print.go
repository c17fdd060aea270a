package form

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/twin/permit"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// PrintOptions are what a printed permit shows beyond the permit record.
// The zero value prints a Chinese form with times in UTC+8 and people by
// their ids.
type PrintOptions struct {
	Site     string // the enterprise or site name, printed above the form title
	Unit     string // 申请单位: the applying unit
	Location string // 作业地点: the place's name (the scene's area), printed with the work's centre
	Content  string // 作业内容: what the work is; "" takes the permit's own (blank when it has none)
	Lang     Lang   // zh (default) or en
	// Zone is the site's time zone; every time is printed in it. Default
	// UTC+8.
	Zone *time.Location
	// PrintedAt is when the copy is printed; zero prints no such line.
	PrintedAt time.Time
	// Names maps person ids and user names to display names; who is not
	// in it is printed by id.
	Names map[string]string
	// Library names the gases analysed; default the embedded library.
	Library *substance.Library
}

//go:embed print.html
var printHTML string

var printTemplate = template.Must(template.New("print.html").Parse(printHTML))

// Print writes permit p as a self-contained HTML page (A4, inline CSS, no
// external resources) laid out as its GB 30871-2022 Annex A form: the
// common header (number, unit, place, content, level, window, workers,
// guardian, related permits, risk identification, briefing), the gas
// analyses, the measures with who confirmed them, the sign-offs in
// approver order, the acceptance, the status with its AQ 3064.2 code, the
// upgrade reasons and warnings, and the log's head hash so that a paper
// copy can be checked against the system. Every value is HTML-escaped.
// Nothing is written when p cannot be printed (an unknown type, level or
// status: ErrInvalid).
func Print(w io.Writer, p *permit.Permit, r *permit.Rules, opt PrintOptions) error {
	if r == nil {
		var err error
		if r, err = permit.Load(); err != nil {
			return err
		}
	}
	pg, err := newPage(p, r, opt)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := printTemplate.Execute(&buf, pg); err != nil {
		return fmt.Errorf("form: print %s: %w", p.ID, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// page is what print.html shows: every value final text, in the page's
// language.
type page struct {
	Lang         Lang
	L            *labels
	Title        string
	TitleZh      string // the form's legal name, shown under an English title
	Site         string
	ID           string
	Unit         string
	Place        string
	Content      string
	Level        string
	TypeCode     string
	From, To     string
	Zone         string
	Workers      string
	Guardian     string
	Related      string
	Risk         string
	Briefer      string
	Briefees     string
	GasRule      string
	Gas          []gasRow
	Measures     []measureRow
	ApproverRole string
	Approvals    []approvalRow
	Accepted     *signRow
	Status       string
	StatusCode   int
	Reason       string
	Upgrade      string
	Warnings     []string
	LogHead      string
	LogEntries   int
	LogOK        bool
	LogError     string
	PrintedAt    string
}

type gasRow struct {
	At, Point, Data, By string
	Pass                bool
}

type measureRow struct {
	N         int
	Text      string
	Confirmed bool
	By, At    string
}

// approvalRow is one approver's block: who is to sign (Expected) and,
// once signed, who did and when.
type approvalRow struct {
	N                 int
	Expected          string
	Signed            bool
	Name, At, Opinion string
}

type signRow struct{ By, At string }

// printer holds what every field of one page needs.
type printer struct {
	L    *labels
	opt  PrintOptions
	lang Lang
	loc  *time.Location
	lib  *substance.Library
}

func (pr printer) name(id string) string {
	if n := strings.TrimSpace(pr.opt.Names[id]); n != "" && n != id {
		return n + pr.L.Open + id + pr.L.Close
	}
	return id
}

func (pr printer) names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = pr.name(id)
	}
	return strings.Join(out, pr.L.List)
}

func (pr printer) time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(pr.loc).Format("2006-01-02 15:04")
}

// zh picks the text of the page's language.
func (pr printer) zh(zh, en string) string {
	if pr.lang == En && en != "" {
		return en
	}
	return zh
}

func newPage(p *permit.Permit, r *permit.Rules, opt PrintOptions) (*page, error) {
	res, err := resolve(p, r)
	if err != nil {
		return nil, err
	}
	pr := printer{opt: opt, lang: opt.Lang, loc: zoneOr(opt.Zone), lib: opt.Library}
	switch pr.lang {
	case "":
		pr.lang = Zh
	case Zh, En:
	default:
		return nil, invalid("language %q (want zh or en)", opt.Lang)
	}
	if pr.lib == nil {
		if pr.lib, err = substance.Load(); err != nil {
			return nil, err
		}
	}
	pr.L = labelsOf(pr.lang)
	pg := &page{Lang: pr.lang, L: pr.L}
	pr.header(pg, p, res)
	pr.checks(pg, p, res)
	pr.signoff(pg, p, res)
	pr.record(pg, p, res)
	return pg, nil
}

// header fills the form's common header (GB 30871-2022 Annex A).
func (pr printer) header(pg *page, p *permit.Permit, res resolved) {
	ti := title(res.typ)
	pg.Title, pg.Site, pg.ID, pg.Unit, pg.TypeCode = pr.zh(ti.Zh, ti.En), pr.opt.Site, p.ID, pr.opt.Unit, res.level.Code
	if pr.lang == En {
		pg.TitleZh = ti.Zh
	}
	pg.Place, pg.Level, pg.Content = pr.place(p), pr.level(res), pr.opt.Content
	if pg.Content == "" {
		pg.Content = p.Content
	}
	pg.From, pg.To, pg.Zone = pr.time(p.Start), pr.time(p.End), zoneLabel(pr.loc, p.Start)
	pg.Workers, pg.Guardian, pg.Related = pr.names(p.Workers), pr.name(p.Guardian), strings.Join(p.Related, pr.L.List)
	if s := p.RiskAnalysis; s != nil {
		pg.Risk = fmt.Sprintf(pr.L.RiskDone, pr.name(s.By), pr.time(s.At))
	}
	if s := p.Briefing; s != nil {
		pg.Briefer, pg.Briefees = pr.name(s.By)+" "+pr.time(s.At), pg.Workers
	}
}

// checks fills the gas analyses and the measures with who confirmed them.
func (pr printer) checks(pg *page, p *permit.Permit, res resolved) {
	pg.GasRule = pr.gasRule(p, res.typ)
	for _, a := range p.GasAnalyses {
		pg.Gas = append(pg.Gas, pr.gasRow(a))
	}
	for _, m := range p.Measures {
		row := measureRow{N: m.N, Text: pr.zh(m.Zh, m.En), Confirmed: m.Confirmed != nil}
		if c := m.Confirmed; c != nil {
			row.By, row.At = pr.name(c.By), pr.time(c.At)
		}
		pg.Measures = append(pg.Measures, row)
	}
}

// signoff fills the approvers in signing order and the acceptance.
func (pr printer) signoff(pg *page, p *permit.Permit, res resolved) {
	pg.ApproverRole = pr.zh(res.approverZh, res.approverEn)
	for i, user := range p.Approvers {
		row := approvalRow{N: i + 1, Expected: pr.name(user)}
		if i < len(p.Approvals) {
			a := p.Approvals[i]
			row.Signed, row.Name, row.At, row.Opinion = true, pr.name(a.By), pr.time(a.At), pr.L.Agree
		}
		pg.Approvals = append(pg.Approvals, row)
	}
	if s, ok := acceptance(p); ok {
		pg.Accepted = &signRow{By: pr.name(s.By), At: pr.time(s.At)}
	}
}

// record fills the status, upgrade, warnings and the log check.
func (pr printer) record(pg *page, p *permit.Permit, res resolved) {
	pg.Status, pg.StatusCode, pg.Reason = pr.zh(res.status.NameZh, res.status.NameEn), res.status.Code, p.Reason
	pg.Upgrade = pr.upgrade(p, res.typ)
	for _, w := range p.Warnings {
		pg.Warnings = append(pg.Warnings, warningText(w, pr.lang, pr.L))
	}
	pg.LogHead, pg.LogEntries, pg.PrintedAt = head(p), len(p.Log), pr.time(pr.opt.PrintedAt)
	if err := p.VerifyLog(); err != nil {
		pg.LogError = err.Error()
	} else {
		pg.LogOK = len(p.Log) > 0
	}
}

// zoneLabel names loc with its offset at t, e.g. "Asia/Shanghai UTC+08:00".
func zoneLabel(loc *time.Location, t time.Time) string {
	off := t.In(loc).Format("-07:00")
	if name := loc.String(); name != "" && !strings.HasPrefix(name, "UTC") {
		return name + " UTC" + off
	}
	return "UTC" + off
}

// place is the place's name with the work's centre, lon/lat.
func (pr printer) place(p *permit.Permit) string {
	c, ok := centre(p)
	var at string
	if ok {
		at = fmt.Sprintf(pr.L.LonLat, c[0], c[1])
	}
	switch {
	case pr.opt.Location != "" && at != "":
		return pr.opt.Location + pr.L.Open + at + pr.L.Close
	case pr.opt.Location != "":
		return pr.opt.Location
	}
	return at
}

// level is the level's name and scope (特级 … / Ⅱ级 5 m < h ≤ 15 m), or
// for a blind-plate job the action.
func (pr printer) level(res resolved) string {
	l := res.level
	name := pr.zh(l.NameZh, l.NameEn)
	if name == "" {
		name = "—"
	}
	if l.ScopeZh != "" && pr.lang == Zh {
		name += pr.L.Open + l.ScopeZh + pr.L.Close
	}
	return name
}

// gasRule says whether the type needs gas analyses and how fresh.
func (pr printer) gasRule(p *permit.Permit, t *permit.Type) string {
	switch {
	case t.Gas.Required == permit.GasAlways, t.Gas.Required == permit.GasFireArea && p.FireArea:
		return fmt.Sprintf(pr.L.GasRequired, num(t.Gas.MaxAgeMin))
	case t.Gas.Required == permit.GasFireArea:
		return pr.L.GasFireAreaOnly
	}
	return pr.L.GasNotRequired
}

func (pr printer) gasRow(a permit.GasAnalysis) gasRow {
	point := a.Gas
	if sub, err := pr.lib.Get(a.Gas); err == nil {
		point = pr.zh(sub.NameZh, sub.NameEn)
	}
	v := a.Verdict
	limit := "≤ " + num(v.Limit) + " " + string(v.Unit)
	if v.Min > 0 {
		limit = num(v.Min) + "–" + num(v.Limit) + " " + string(v.Unit)
	}
	data := num(a.Value) + " " + string(a.Unit)
	if v.Unit != "" && v.Unit != a.Unit {
		data += pr.L.Open + "= " + num(round(v.Value, 4)) + " " + string(v.Unit) + pr.L.Close
	}
	data += pr.L.Semi + limit
	return gasRow{At: pr.time(a.SampledAt), Point: point, Data: data, By: pr.name(a.By), Pass: v.Pass}
}

// upgrade says from which level hot work was raised, and why.
func (pr printer) upgrade(p *permit.Permit, t *permit.Type) string {
	if p.UpgradedFrom == "" {
		return ""
	}
	from := p.UpgradedFrom
	if l, err := t.Level(p.UpgradedFrom); err == nil {
		from = pr.zh(l.NameZh, l.NameEn)
	}
	why := make([]string, len(p.UpgradeReasons))
	for i, w := range p.UpgradeReasons {
		why[i] = word(reasonWords, w, pr.lang)
	}
	return fmt.Sprintf(pr.L.UpgradedFrom, from, strings.Join(why, pr.L.List))
}

// round rounds v to n significant digits for display.
func round(v float64, n int) float64 {
	out, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', n, 64), 64)
	if err != nil {
		return v
	}
	return out
}

// labels are the fixed texts of a printed form in one language.
type labels struct {
	Doc, Number, Unit, Place, Content, Level, TypeCode, Window, From, To, Zone string
	Workers, Guardian, Related, Risk, Briefer, Briefees, None, Pending         string
	Gas, GasAt, GasPoint, GasData, GasVerdict, GasBy, Pass, Fail, NoGas        string
	Measures, No, Measure, Involved, Yes, Unconfirmed                          string
	Approvals, ApproverRole, Approver, Opinion, Sign, Time, Agree              string
	Acceptance, AcceptedBy, Status, StatusCode, Reason, Upgrade, Warnings      string
	Record, RecordText, Head, Entries, Verified, Broken, Empty, PrintedAt      string
	RiskDone, LonLat, GasRequired, GasFireAreaOnly, GasNotRequired             string
	UpgradedFrom                                                               string
	// Punctuation: full-width in Chinese, ASCII in English.
	Colon, Open, Close, List, Semi string
}

var zhLabels = labels{
	Doc: "特殊作业安全作业票", Number: "编号", Unit: "申请单位", Place: "作业地点", Content: "作业内容",
	Level: "作业级别", TypeCode: "作业类型代码（AQ 3064.2）", Window: "作业时间", From: "自", To: "至", Zone: "时区",
	Workers: "作业人", Guardian: "监护人", Related: "关联的其他特殊作业及安全作业票编号", Risk: "风险辨识结果",
	Briefer: "安全交底人", Briefees: "接受交底人", None: "无", Pending: "待签",
	Gas: "气体分析", GasAt: "分析时间", GasPoint: "分析点/介质", GasData: "分析数据", GasVerdict: "结论",
	GasBy: "分析人", Pass: "合格", Fail: "不合格", NoGas: "无气体分析记录",
	Measures: "安全措施", No: "序号", Measure: "安全措施", Involved: "是否涉及/确认人", Yes: "是", Unconfirmed: "未确认",
	Approvals: "审批", ApproverRole: "审批权限（GB 30871-2022 表 B.1）", Approver: "审批人", Opinion: "审批意见",
	Sign: "签字", Time: "时间", Agree: "同意",
	Acceptance: "完工验收", AcceptedBy: "验收人", Status: "作业票状态", StatusCode: "状态码（AQ 3064.2 附录 A）",
	Reason: "原因", Upgrade: "作业级别升级", Warnings: "同时作业警示",
	Record: "记录核验", RecordText: "本票自预约起的每一步（签字、确认、分析、状态变化）都记入以 SHA-256 哈希串联的日志；任何改动、删除或重排都会使哈希链断开。可凭下列末条哈希与系统核对本打印件。",
	Head: "末条哈希", Entries: "记录条数", Verified: "哈希链校验通过", Broken: "哈希链校验失败", Empty: "无记录",
	PrintedAt: "打印时间",
	RiskDone:  "已完成作业危害分析（JHA）：%s，%s", LonLat: "经度 %.6f，纬度 %.6f",
	GasRequired: "本作业须在作业前 %s 分钟内进行气体分析，合格后方可作业（GB 30871-2022）", GasFireAreaOnly: "仅在火灾爆炸危险场所须进行气体分析；本作业不在其内",
	GasNotRequired: "本类作业不要求气体分析",
	UpgradedFrom:   "由%s升级（%s），GB 30871-2022 §5.2",
	Colon:          "：", Open: "（", Close: "）", List: "、", Semi: "；",
}

var enLabels = labels{
	Doc: "Special-work safety permit", Number: "No.", Unit: "Applying unit", Place: "Place", Content: "Work",
	Level: "Level", TypeCode: "Type code (AQ 3064.2)", Window: "Window", From: "from", To: "to", Zone: "Time zone",
	Workers: "Workers", Guardian: "Guardian", Related: "Related special work and permit numbers", Risk: "Risk identification",
	Briefer: "Briefed by", Briefees: "Briefed", None: "none", Pending: "to sign",
	Gas: "Gas analyses", GasAt: "Sampled", GasPoint: "Point / medium", GasData: "Result", GasVerdict: "Verdict",
	GasBy: "Analyst", Pass: "pass", Fail: "fail", NoGas: "No gas analysis recorded",
	Measures: "Safety measures", No: "No.", Measure: "Measure", Involved: "Applies / confirmed by", Yes: "yes", Unconfirmed: "not confirmed",
	Approvals: "Sign-off", ApproverRole: "Approving role (GB 30871-2022 Table B.1)", Approver: "Approver", Opinion: "Opinion",
	Sign: "Signed", Time: "Time", Agree: "approved",
	Acceptance: "Acceptance", AcceptedBy: "Accepted by", Status: "Status", StatusCode: "Status code (AQ 3064.2 Annex A)",
	Reason: "Reason", Upgrade: "Level upgrade", Warnings: "Simultaneous-operation warnings",
	Record: "Record check", RecordText: "Every step of this permit since booking (signatures, confirmations, analyses, state changes) is logged in a SHA-256 hash chain; any change, deletion or reordering breaks the chain. Check this copy against the system by the head hash below.",
	Head: "Head hash", Entries: "Entries", Verified: "hash chain verified", Broken: "hash chain BROKEN", Empty: "no entries",
	PrintedAt: "Printed",
	RiskDone:  "Job hazard analysis (JHA) done: %s, %s", LonLat: "lon %.6f, lat %.6f",
	GasRequired: "A passing gas analysis at most %s min before the work is required (GB 30871-2022)", GasFireAreaOnly: "Gas analysis required only in fire and explosion hazard areas; this work is not in one",
	GasNotRequired: "No gas analysis required for this type",
	UpgradedFrom:   "Upgraded from %s (%s), GB 30871-2022 §5.2",
	Colon:          ": ", Open: " (", Close: ")", List: ", ", Semi: "; ",
}

func labelsOf(l Lang) *labels {
	if l == En {
		return &enLabels
	}
	return &zhLabels
}
