package inspect

import (
	"slices"
	"time"
)

// Window is one task window of a plan: check-ins from Start to End are
// on time, until Close (End + the plan's grace) late; after Close the
// task's unvisited points are missed.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Close time.Time `json:"close"`
}

// MaxWindows bounds the candidate windows one Windows call looks at; a
// longer range is refused (ask for it in pieces).
const MaxWindows = 100_000

// Windows lists the task windows of plan p that start in [from, to), in
// order of start, computed on the wall clock of the site's zone loc (so a
// daily window is 23 or 25 hours long on a DST change day, and an hourly
// slot that falls in a spring-forward gap is skipped).
//
// Per unit, every N (= p.Every):
//   - hour: slots every N hours of wall time counted from midnight of the
//     plan's From day (so every day from 00:00 when N divides 24), each N
//     hours long. With shift windows, a slot keeps only its overlap with
//     each shift window (a slot that does not overlap one is dropped): a
//     shift 08:30-16:30 with N = 2 gives 08:30-10:00, 10:00-12:00, …,
//     16:00-16:30.
//   - day: every Nth day counted from From; one window per shift window,
//     or the whole day when none is given. A window past midnight
//     ("20:00-08:00") belongs to the day it starts.
//   - week: from Monday 00:00 for one week, every Nth week counted from
//     the week of From; month: from the 1st 00:00 for one month, every
//     Nth month counted from the month of From. The first and last
//     windows are clipped to From 00:00 and the end of Until.
//
// Days filters windows by day type through workday (nil: Monday–Friday
// are workdays): an hourly or daily window by the day its shift window
// (or, without shifts, the window itself) starts; a weekly or monthly
// window starts on the first day of its period of the wanted type and is
// dropped when its period has none (a month plan on workdays starts on
// Oct 8 after the National Day holidays).
//
// Only windows starting within From … Until (inclusive, site zone) are
// listed. Windows ignores Enabled: the caller decides whether a disabled
// plan makes tasks.
func Windows(p *Plan, from, to time.Time, loc *time.Location, workday func(day time.Time) bool) ([]Window, error) {
	if p == nil {
		return nil, invalid("no plan")
	}
	if loc == nil {
		return nil, invalid("plan %s: no time zone", p.ID)
	}
	if err := p.Validate(nil); err != nil {
		return nil, err
	}
	s, err := newSchedule(p, loc, workday)
	if err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, nil
	}
	switch p.Unit {
	case UnitHour:
		err = s.hours(from, to)
	case UnitDay:
		err = s.days(from, to)
	default:
		err = s.periods(from, to)
	}
	if err != nil {
		return nil, err
	}
	return s.result(from, to), nil
}

// Span bounds how long a window of p runs from its start to its close
// (End + grace): N hours for an hourly plan, a day (a shift window past
// midnight ends the next day) for a daily one, a week, a month of 31 days,
// each with an hour for a DST day, plus the grace. A window that started
// longer than Span before now has closed: Windows need not look further
// back for the windows still open.
func (p *Plan) Span() time.Duration {
	var d time.Duration
	switch p.Unit {
	case UnitHour:
		d = time.Duration(p.Every) * time.Hour
	case UnitDay:
		d = 24 * time.Hour
	case UnitWeek:
		d = 7 * 24 * time.Hour
	default:
		d = 31 * 24 * time.Hour
	}
	return d + time.Hour + time.Duration(p.GraceMin*float64(time.Minute))
}

// TaskID is the id of the task of plan for the window starting at start.
func TaskID(plan string, start time.Time) string {
	return plan + "@" + start.UTC().Format("20060102T1504")
}

// NewTask makes the task of plan p for window w over route r: every point
// due, in the route's order, open.
func NewTask(p *Plan, r *Route, w Window) Task {
	t := Task{ID: TaskID(p.ID, w.Start), Plan: p.ID, Route: r.ID, Assignee: p.Assignee, Team: p.Team,
		Start: w.Start, End: w.End, Close: w.Close, Sequence: r.Sequence, Status: TaskOpen,
		Points: make([]TaskPoint, len(r.Points))}
	for i, id := range r.Points {
		t.Points[i] = TaskPoint{Point: id, Status: PointDue}
	}
	return t
}

// schedule is one Windows call's state. Days are civil day numbers
// (days since 1970-01-01), which keeps calendar arithmetic off the
// elapsed-time axis.
type schedule struct {
	p         *Plan
	loc       *time.Location
	workday   func(time.Time) bool
	shifts    [][2]time.Duration
	grace     time.Duration
	firstDay  int // From
	lastDay   int // Until, or 9999-12-31
	out       []Window
	candidate int
}

func newSchedule(p *Plan, loc *time.Location, workday func(time.Time) bool) (*schedule, error) {
	if workday == nil {
		workday = func(d time.Time) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }
	}
	s := &schedule{p: p, loc: loc, workday: workday, grace: time.Duration(p.GraceMin * float64(time.Minute)),
		lastDay: dayNum(9999, 12, 31)}
	f, _ := time.Parse(time.DateOnly, p.From) // Validate checked both
	s.firstDay = dayNum(f.Date())
	if p.Until != "" {
		u, _ := time.Parse(time.DateOnly, p.Until)
		s.lastDay = dayNum(u.Date())
	}
	for _, w := range p.Windows {
		a, b, err := ParseWindow(w)
		if err != nil {
			return nil, invalid("plan %s: %v", p.ID, err)
		}
		s.shifts = append(s.shifts, [2]time.Duration{a, b})
	}
	return s, nil
}

// hours lists the hourly slots (see Windows).
func (s *schedule) hours(from, to time.Time) error {
	n := s.p.Every
	fy, fm, fd := civil(s.firstDay)
	h := (dayOf(from, s.loc)-s.firstDay)*24 + from.In(s.loc).Hour()
	// Start two slots early: a slot begun before from may be clipped by a
	// shift to start after it, and a DST day shifts wall hours by one.
	for k := max(h/n-2, 0); ; k++ {
		start := wallTime(fy, fm, fd, k*n*60, s.loc)
		if !start.Before(to) || dayOf(start, s.loc) > s.lastDay {
			return nil
		}
		end := wallTime(fy, fm, fd, (k+1)*n*60, s.loc)
		if !end.After(start) {
			continue // a slot lost in a spring-forward gap
		}
		if err := s.count(); err != nil {
			return err
		}
		if len(s.shifts) == 0 {
			s.add(start, end, dayOf(start, s.loc))
			continue
		}
		for d := dayOf(start, s.loc) - 1; d <= dayOf(end, s.loc); d++ {
			for _, sh := range s.shifts {
				ws, we := s.wall(d, sh[0]), s.wall(d, sh[1])
				a, b := later(start, ws), earlier(end, we)
				if a.Before(b) {
					s.add(a, b, d)
				}
			}
		}
	}
}

// days lists the daily windows (see Windows).
func (s *schedule) days(from, to time.Time) error {
	n := s.p.Every
	d := max(dayOf(from, s.loc), s.firstDay)
	if r := (d - s.firstDay) % n; r != 0 {
		d += n - r
	}
	for last := min(dayOf(to, s.loc), s.lastDay); d <= last; d += n {
		if err := s.count(); err != nil {
			return err
		}
		if len(s.shifts) == 0 {
			s.add(s.midnight(d), s.midnight(d+1), d)
		}
		for _, sh := range s.shifts {
			s.add(s.wall(d, sh[0]), s.wall(d, sh[1]), d)
		}
	}
	return nil
}

// periods lists the weekly or monthly windows (see Windows).
func (s *schedule) periods(from, to time.Time) error {
	period := s.weekPeriod
	if s.p.Unit == UnitMonth {
		period = s.monthPeriod
	}
	// A window starts within its period: skip the periods that end before
	// from's day, from an estimate that never overshoots (a month has at
	// most 31 days).
	days := 7
	if s.p.Unit == UnitMonth {
		days = 31
	}
	fromDay := dayOf(from, s.loc)
	k := max((fromDay-s.firstDay)/(days*s.p.Every)-1, 0)
	for _, hi := period(k); hi <= fromDay; _, hi = period(k) {
		k++
	}
	for ; ; k++ {
		lo, hi := period(k)
		if lo > dayOf(to, s.loc) || lo > s.lastDay {
			return nil
		}
		if err := s.count(); err != nil {
			return err
		}
		lo, hi = max(lo, s.firstDay), min(hi, s.lastDay+1)
		for d := lo; d < hi; d++ {
			if s.wanted(d) {
				s.out = append(s.out, s.window(s.midnight(d), s.midnight(hi)))
				break
			}
		}
	}
}

// weekPeriod is the k-th week of the plan: [lo, hi) in day numbers.
func (s *schedule) weekPeriod(k int) (lo, hi int) {
	monday := s.firstDay - (weekday(s.firstDay)+6)%7
	lo = monday + 7*s.p.Every*k
	return lo, lo + 7
}

// monthPeriod is the k-th month of the plan: [lo, hi) in day numbers.
func (s *schedule) monthPeriod(k int) (lo, hi int) {
	y, m, _ := civil(s.firstDay)
	m += time.Month(s.p.Every * k)
	return dayNum(y, m, 1), dayNum(y, m+1, 1)
}

// add keeps a window whose day (the day that decides its day type) is
// wanted.
func (s *schedule) add(start, end time.Time, day int) {
	if end.After(start) && s.wanted(day) {
		s.out = append(s.out, s.window(start, end))
	}
}

func (s *schedule) window(start, end time.Time) Window {
	return Window{Start: start, End: end, Close: end.Add(s.grace)}
}

func (s *schedule) wanted(day int) bool {
	switch s.p.Days {
	case DaysWorkdays:
		return s.workday(s.midnight(day))
	case DaysRestDays:
		return !s.workday(s.midnight(day))
	}
	return true
}

func (s *schedule) count() error {
	if s.candidate++; s.candidate > MaxWindows {
		return invalid("plan %s: range too long (more than %d windows)", s.p.ID, MaxWindows)
	}
	return nil
}

// result keeps the windows starting in [from, to) and within the plan's
// days, sorted, one per start.
func (s *schedule) result(from, to time.Time) []Window {
	lo, hi := s.midnight(s.firstDay), s.midnight(s.lastDay+1)
	out := slices.DeleteFunc(s.out, func(w Window) bool {
		return w.Start.Before(from) || !w.Start.Before(to) || w.Start.Before(lo) || !w.Start.Before(hi)
	})
	slices.SortStableFunc(out, func(a, b Window) int { return a.Start.Compare(b.Start) })
	return slices.CompactFunc(out, func(a, b Window) bool { return a.Start.Equal(b.Start) })
}

// midnight is 00:00 of day d in the site's zone.
func (s *schedule) midnight(d int) time.Time { return s.wall(d, 0) }

// wall is day d's midnight plus off of wall-clock time (off may pass 24 h).
func (s *schedule) wall(d int, off time.Duration) time.Time {
	y, m, dd := civil(d)
	return wallTime(y, m, dd, int(off/time.Minute), s.loc)
}

// wallTime is the instant the clock in loc reads mins minutes after
// midnight of y-m-d (mins may pass a day). A reading the clock skips (a
// spring-forward gap) moves later by the gap's length, as java.time's
// ZonedDateTime does: 02:30 on a night that jumps 02:00 → 03:00 is 03:30.
// A reading the clock shows twice (fall back) is its first instant.
func wallTime(y int, m time.Month, d, mins int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, mins, 0, 0, loc)
	want := time.Date(y, m, d, 0, mins, 0, 0, time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	if skipped := want.Sub(got); skipped > 0 {
		t = t.Add(skipped)
	}
	return t
}

// dayNum is the civil day number of a date (days since 1970-01-01);
// time.Date normalises an overflowing month or day.
func dayNum(y int, m time.Month, d int) int {
	return int((time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() - 43200) / 86400)
}

// civil is the date of a day number.
func civil(n int) (int, time.Month, int) {
	return time.Unix(int64(n)*86400+43200, 0).UTC().Date()
}

// dayOf is the day number of t's date in loc.
func dayOf(t time.Time, loc *time.Location) int { return dayNum(t.In(loc).Date()) }

// weekday of a day number, Sunday = 0 (1970-01-01 was a Thursday).
func weekday(n int) int { return ((n+4)%7 + 7) % 7 }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
