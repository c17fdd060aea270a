package form

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chemtwin/chemtwin/twin/permit"
	"github.com/chemtwin/chemtwin/twin/substance"
)

func render(t *testing.T, p *permit.Permit, r *permit.Rules, opt PrintOptions) (raw, text string) {
	t.Helper()
	var b bytes.Buffer
	if err := Print(&b, p, r, opt); err != nil {
		t.Fatal(err)
	}
	return b.String(), plain(b.String())
}

// TestPrintEveryType prints a permit of each of the eight types, taken
// through the workflow, and finds on it what the GB 30871-2022 form
// carries.
func TestPrintEveryType(t *testing.T) {
	r := permit.Default()
	for _, typ := range permit.TypeKeys {
		t.Run(typ, func(t *testing.T) {
			p := walk(t, r, typ, true)
			raw, text := render(t, p, r, PrintOptions{Site: "示范化工有限公司", Unit: "二车间", Location: "罐区 A",
				Content: "更换 DN100 阀门", Names: map[string]string{"P-1": "张三", "unit_head": "李主任"},
				PrintedAt: t0.Add(7 * time.Hour)})
			ty, _ := r.Type(typ)
			l, _ := ty.Level(p.Level)
			code, _ := r.StatusCode(p.Status)
			want := []string{
				Titles[typ].Zh, "编号： " + p.ID, "示范化工有限公司", "二车间", "更换 DN100 阀门",
				"罐区 A（经度 121.500100，纬度 31.200100）", "作业类型代码（AQ 3064.2） " + l.Code,
				"自 2026-11-30 09:00 至 2026-11-30 17:00", "张三（P-1）、P-2", "PTW-other",
				"已完成作业危害分析（JHA）：P-3，2026-11-30 07:30", "已验收", "状态码（AQ 3064.2 附录 A）： 3",
				"验收人 acceptor 时间 2026-11-30 15:00", p.Log[len(p.Log)-1].Hash, "哈希链校验通过",
				"打印时间：2026-11-30 16:00",
			}
			if code != 3 {
				t.Fatalf("accepted is code %d", code)
			}
			for _, m := range ty.Measures {
				want = append(want, m.Zh)
			}
			for _, a := range p.GasAnalyses {
				want = append(want, "2026-11-30 "+a.SampledAt.In(cst).Format("15:04"))
			}
			want = append(want, "甲烷", "0.1 %VOL；≤ 0.5 %VOL 合格 analyst")
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("%q missing from the printed %s permit", w, typ)
				}
			}
			if n := strings.Count(text, "是 / P-3"); n != len(ty.Measures) {
				t.Errorf("%d measures printed as confirmed by P-3, want %d", n, len(ty.Measures))
			}
			// The approvers sign in order.
			first, second := strings.Index(text, "1 李主任（unit_head） 同意 李主任（unit_head） 2026-11-30 08:55"), strings.Index(text, "2 safety 同意 safety 2026-11-30 08:57")
			if first < 0 || second < first {
				t.Errorf("approvals out of order or missing (%d, %d)", first, second)
			}
			if !strings.Contains(raw, "@media print") || !strings.Contains(raw, "size: A4") {
				t.Error("no print stylesheet for A4")
			}
			for _, ext := range []string{"<script", "<link", "src=", "url(", "@import", "http://", "https://"} {
				if strings.Contains(raw, ext) {
					t.Errorf("the page is not self-contained: %q", ext)
				}
			}
		})
	}
}

// TestPrintProgress prints a permit half way: unsigned approvers are
// pending, unconfirmed measures say so, no acceptance yet.
func TestPrintProgress(t *testing.T) {
	r := permit.Default()
	p, err := r.New(permit.Request{ID: "PTW-9", Type: "confined_space", Start: t0, End: t0.Add(4 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-3", Approvers: []string{"a1", "a2"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Apply(p)
	r.ConfirmMeasure(p, 2, "P-3", t0)
	_, text := render(t, p, r, PrintOptions{})
	for _, w := range []string{"受限空间安全作业票", "已申请", "状态码（AQ 3064.2 附录 A）： 0", "1 a1 待签", "2 a2 待签",
		"无气体分析记录", "本作业须在作业前 30 分钟内进行气体分析", "关联的其他特殊作业及安全作业票编号 无", "无记录"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q missing", w)
		}
	}
	ty, _ := r.Type("confined_space")
	if n := strings.Count(text, "未确认"); n != len(ty.Measures)-1 {
		t.Errorf("%d measures printed unconfirmed, want %d", n, len(ty.Measures)-1)
	}
	if strings.Contains(text, "作业人员清楚受限空间内存在的危险因素 是") {
		t.Error("an unconfirmed measure printed as confirmed")
	}
}

// TestPrintUpgradeWarningsFailures prints an upgraded hot-work permit with
// a failed analysis, a warning and a broken log.
func TestPrintUpgradeWarningsFailures(t *testing.T) {
	r := permit.Default()
	night := time.Date(2026, 11, 30, 20, 0, 0, 0, cst)
	p, err := r.New(permit.Request{ID: "PTW-N", Type: "hot_work", Level: "2", Start: night, End: night.Add(4 * time.Hour),
		Workers: []string{"P-1"}, Guardian: "P-3", Approvers: []string{"a1"}, When: permit.Conditions{Location: cst}})
	if err != nil || p.Level != "1" || p.UpgradedFrom != "2" {
		t.Fatalf("night hot work not upgraded: %v %+v", err, p)
	}
	r.Apply(p)
	methane, _ := substance.Default().Get("methane")
	if _, err := r.AddGasAnalysis(p, methane, 0.8, substance.PctVol, night, "analyst", false); err != nil {
		t.Fatal(err)
	}
	p.Warnings = []string{"blind_plate_nearby:PTW-B"}
	p.Record("op", "create", nil, night)
	p.Record("op", "apply", nil, night)
	p.Log[0].By = "someone else" // tampered
	_, text := render(t, p, r, PrintOptions{})
	for _, w := range []string{"一级（火灾爆炸危险场所内特级以外的动火，管廊上）", "由二级升级（夜间），GB 30871-2022 §5.2",
		"不合格", "30 m 内有盲板抽堵作业（PTW-B）", "哈希链校验失败", "altered"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q missing", w)
		}
	}
	if strings.Contains(text, "哈希链校验通过") {
		t.Error("a tampered log printed as verified")
	}
}

// TestPrintEscapes prints hostile names as text, never as markup.
func TestPrintEscapes(t *testing.T) {
	r := permit.Default()
	p := walk(t, r, "height", false)
	evil := `<script>alert("x")</script>`
	p.Workers[0] = evil
	p.Reason = `"><img src=x onerror=alert(1)>`
	raw, text := render(t, p, r, PrintOptions{Site: evil, Unit: evil, Location: evil, Content: evil,
		Names: map[string]string{"P-3": evil}})
	if strings.Contains(raw, "<script") || strings.Contains(raw, "<img") {
		t.Fatal("markup from the data reached the page")
	}
	if !strings.Contains(raw, "&lt;script&gt;") || strings.Count(text, evil) < 5 {
		t.Errorf("hostile text not shown escaped (%d times)", strings.Count(text, evil))
	}
}

// TestPrintEnglish switches the labels and measures to English and keeps
// the form's Chinese name.
func TestPrintEnglish(t *testing.T) {
	r := permit.Default()
	p := walk(t, r, "hot_work", false)
	_, text := render(t, p, r, PrintOptions{Lang: En, Zone: time.UTC})
	ty, _ := r.Type("hot_work")
	for _, w := range []string{"Hot work safety permit", "动火安全作业票", "In progress", "Status code (AQ 3064.2 Annex A): 2",
		"from 2026-11-30 01:00 to 2026-11-30 09:00", "Time zone: UTC+00:00", "Methane", "pass", ty.Measures[0].En} {
		if !strings.Contains(text, w) {
			t.Errorf("%q missing", w)
		}
	}
	if strings.Contains(text, ty.Measures[0].Zh) {
		t.Error("a Chinese measure on the English form")
	}
}

// TestPrintRefuses bad input with ErrInvalid and writes nothing.
func TestPrintRefuses(t *testing.T) {
	r := permit.Default()
	good := func() *permit.Permit { return walk(t, r, "excavation", false) }
	cases := map[string]struct {
		p   *permit.Permit
		opt PrintOptions
	}{
		"nil":      {nil, PrintOptions{}},
		"type":     {func() *permit.Permit { p := good(); p.Type = "juggling"; return p }(), PrintOptions{}},
		"level":    {func() *permit.Permit { p := good(); p.Level = "9"; return p }(), PrintOptions{}},
		"status":   {func() *permit.Permit { p := good(); p.Status = "dancing"; return p }(), PrintOptions{}},
		"language": {good(), PrintOptions{Lang: "fr"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Print(&b, c.p, r, c.opt); !errors.Is(err, ErrInvalid) || b.Len() != 0 {
				t.Errorf("err %v, %d bytes written", err, b.Len())
			}
		})
	}
}

// FuzzPrint prints permits with arbitrary text in every free field: no
// panic, and no markup from the data on the page.
func FuzzPrint(f *testing.F) {
	f.Add("P-1", "<script>x</script>", "二车间", "a&b", "n")
	f.Add("", "", "", "", "")
	f.Add("\x00\xff", `"'><`, "{{.ID}}", "</style><b>", "javascript:alert(1)")
	r := permit.Default()
	f.Fuzz(func(t *testing.T, worker, name, unit, reason, id string) {
		p, err := r.New(permit.Request{ID: "PTW-F", Type: "road_break", Start: t0, End: t0.Add(time.Hour),
			Workers: []string{"W"}, Guardian: "G", Approvers: []string{"A"}})
		if err != nil {
			t.Fatal(err)
		}
		p.ID, p.Workers[0], p.Reason, p.Related = id, worker, reason, []string{reason}
		var b bytes.Buffer
		if err := Print(&b, p, r, PrintOptions{Unit: unit, Site: name, Names: map[string]string{worker: name}}); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		if n := strings.Count(page, "<script"); n != 0 {
			t.Errorf("%d script tags", n)
		}
		if n, want := strings.Count(page, "<style"), 1; n != want {
			t.Errorf("%d style tags", n)
		}
	})
}
