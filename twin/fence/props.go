package fence

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/twin"
)

// Selector picks people: a person matches when every listed category holds
// the person's value (categories ANDed, values ORed), or when Persons lists
// the person's id. An empty selector matches nobody.
type Selector struct {
	IdentityTypes, Departments, Posts, Persons []string
}

// Empty reports whether the selector lists nothing.
func (s Selector) Empty() bool {
	return len(s.IdentityTypes) == 0 && len(s.Departments) == 0 && len(s.Posts) == 0 && len(s.Persons) == 0
}

// Match reports whether the subject is selected.
func (s Selector) Match(sub *Subject) bool {
	if slices.Contains(s.Persons, sub.ID) {
		return true
	}
	cats := 0
	for _, c := range [...]struct {
		vals []string
		v    string
	}{{s.IdentityTypes, sub.IdentityType}, {s.Departments, sub.Department}, {s.Posts, sub.Post}} {
		if len(c.vals) == 0 {
			continue
		}
		if !slices.Contains(c.vals, c.v) {
			return false
		}
		cats++
	}
	return cats > 0
}

// Window is when a rule is armed, in the site timezone. The zero Window is
// always open. From and To are minutes after midnight; From > To wraps over
// midnight and the part after midnight belongs to the day the window opened;
// From == To is the whole day. Days holds bit d-1 for weekday d (1 = Monday
// … 7 = Sunday); 0 means every day.
type Window struct {
	From, To int
	Days     uint8
	Set      bool
}

// Open reports whether the window is open at t (converted to loc).
func (w Window) Open(t time.Time, loc *time.Location) bool {
	if !w.Set {
		return true
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	day := (int(lt.Weekday())+6)%7 + 1 // 1 = Monday
	switch {
	case w.From == w.To:
		return w.day(day)
	case w.From < w.To:
		return m >= w.From && m < w.To && w.day(day)
	case m >= w.From:
		return w.day(day)
	case m < w.To:
		return w.day(prevDay(day)) // the window opened the day before
	}
	return false
}

func prevDay(d int) int { return (d+5)%7 + 1 }

func (w Window) day(d int) bool { return w.Days == 0 || w.Days&(1<<(d-1)) != 0 }

// props reads fence properties, keeping the first error.
type props struct {
	m   map[string]any
	err error
}

func (p *props) fail(format string, a ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, a...)
	}
}

func (p *props) str(key string) string {
	switch v := p.m[key].(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	default:
		p.fail("%s: want a string, got %T", key, v)
	}
	return ""
}

// num returns a finite number property and whether it is present.
func (p *props) num(key string) (float64, bool) {
	v, present := p.m[key]
	if !present || v == nil {
		return 0, false
	}
	f, ok := twin.AsFloat(v)
	if !ok {
		p.fail("%s: want a number, got %v", key, v)
		return 0, false
	}
	return f, true
}

func (p *props) integer(key string, lo, hi int) (int, bool) {
	f, ok := p.num(key)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		p.fail("%s: %v is not a whole number in [%d, %d]", key, f, lo, hi)
		return 0, false
	}
	return int(f), true
}

func (p *props) seconds(key string) time.Duration {
	f, ok := p.num(key)
	if !ok {
		return 0
	}
	if f <= 0 || f > 30*24*3600 {
		p.fail("%s: %v s is out of range (0, 30 days]", key, f)
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

func (p *props) level(f *Fence) {
	if l, ok := p.integer("level", 1, 3); ok {
		f.Level = l
	}
}

func (p *props) vertical(f *Fence) {
	f.Floor, f.HasFloor = p.integer("floor", -100, 300)
	lo, okLo := p.num("z_min")
	hi, okHi := p.num("z_max")
	if okLo || okHi {
		f.HasZ = true
		f.ZMin, f.ZMax = math.Inf(-1), math.Inf(1)
		if okLo {
			f.ZMin = lo
		}
		if okHi {
			f.ZMax = hi
		}
	}
}

func (p *props) limits(f *Fence) {
	f.MaxPersons, _ = p.integer("max_persons", 0, 1_000_000)
	f.MinPersons, _ = p.integer("min_persons", 0, 1_000_000)
	f.Dwell = p.seconds("dwell_s")
	f.StaticFor = p.seconds("static_s")
	if v, ok := p.num("speed_limit_kmh"); ok {
		if v <= 0 || v > 1000 {
			p.fail("speed_limit_kmh: %v is out of range (0, 1000]", v)
		}
		f.SpeedLimitKmh = v
	}
}

// list reads a list of strings ([]any as decoded JSON, []string from code,
// or a comma-separated string as GIS tools write it).
func list(key string, v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case []string:
		return slices.Clone(v), nil
	case string:
		var out []string
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("%s: want strings, got %v", key, item)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: want a list of strings, got %T", key, v)
}

func (p *props) strs(key string) []string {
	out, err := list(key, p.m[key])
	if err != nil {
		p.fail("%v", err)
	}
	return out
}

func (p *props) selector(key string) Selector {
	var s Selector
	switch v := p.m[key].(type) {
	case nil:
		return s
	case map[string]any:
		sub := props{m: v}
		s.IdentityTypes = sub.strs("identity_types")
		s.Departments = sub.strs("departments")
		s.Posts = sub.strs("posts")
		s.Persons = sub.strs("persons")
		if sub.err != nil {
			p.fail("%s.%v", key, sub.err)
		}
	default:
		p.fail("%s: want an object, got %T", key, v)
	}
	return s
}

func (p *props) window(key string) Window {
	var w Window
	switch v := p.m[key].(type) {
	case nil:
		return w
	case map[string]any:
		var err error
		if w.From, err = clock(v["from"]); err != nil {
			p.fail("%s.from: %v", key, err)
		}
		if w.To, err = clock(v["to"]); err != nil {
			p.fail("%s.to: %v", key, err)
		}
		if w.Days, err = days(v["days"]); err != nil {
			p.fail("%s.days: %v", key, err)
		}
		w.Set = true
	default:
		p.fail("%s: want an object, got %T", key, v)
	}
	return w
}

// clock parses "HH:MM" into minutes after midnight.
func clock(v any) (int, error) {
	s, _ := v.(string)
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) || len(m) != 2 {
		return 0, fmt.Errorf("%v: want HH:MM", v)
	}
	return (hh*60 + mm) % (24 * 60), nil
}

// days parses weekday numbers 1 (Monday) … 7 (Sunday) into a bit set.
func days(v any) (uint8, error) {
	var items []any
	switch v := v.(type) {
	case nil:
		return 0, nil
	case []any:
		items = v
	case []int:
		for _, d := range v {
			items = append(items, float64(d))
		}
	case []float64:
		for _, d := range v {
			items = append(items, d)
		}
	default:
		return 0, errors.New("want a list of weekdays 1 … 7")
	}
	var set uint8
	for _, item := range items {
		d, ok := twin.AsFloat(item)
		if !ok || d != math.Trunc(d) || d < 1 || d > 7 {
			return 0, fmt.Errorf("%v is not a weekday 1 (Monday) … 7 (Sunday)", item)
		}
		set |= 1 << (int(d) - 1)
	}
	return set, nil
}
