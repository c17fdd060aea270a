package inspect

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults for the hidden dangers a check-in raises; the service may
// override them (they are practice, not a standard's numbers — verify
// against the site's hidden-danger rules).
const (
	// DefaultOnSpotDeadline: a failed yes/no item is fixed on the spot
	// (即查即改), still within this.
	DefaultOnSpotDeadline = 24 * time.Hour
	// DefaultDeadline: an out-of-range reading is fixed by a deadline
	// (限期整改).
	DefaultDeadline = 7 * 24 * time.Hour
)

// Actions of a DangerEvent.
const (
	ActionFound     = "found"
	ActionRectified = "rectified"
	ActionAccepted  = "accepted"
	ActionRejected  = "rejected"
)

// DangersFrom makes one hidden danger per failed item of a verified
// check-in c at point p, found by by at now: at the point's place, level
// general, rectifying. A failed yes/no item is to be fixed on the spot
// (deadline now + DefaultOnSpotDeadline), a reading out of its range by a
// deadline (now + DefaultDeadline). Each carries the check-in's photos;
// its id is the check-in's id and the item's key.
func DangersFrom(c CheckIn, p *Point, now time.Time, by string) []Danger {
	if p == nil {
		return nil
	}
	var out []Danger
	for _, r := range c.Results {
		i := slices.IndexFunc(p.Checklist, func(it Item) bool { return it.Key == r.Key })
		if r.Pass || i < 0 {
			continue
		}
		it := p.Checklist[i]
		zh, en := describe(it, r)
		d := Danger{ID: c.ID + "-" + r.Key, Point: p.ID, CheckIn: c.ID, Item: r.Key, Lon: p.Location[0], Lat: p.Location[1],
			Description: p.Name + "：" + zh, DescriptionEn: cmp.Or(p.NameEn, p.Name) + ": " + en,
			Level: DangerGeneral, Fix: FixOnSpot, Photos: slices.Clone(c.Photos), Status: DangerRectifying,
			FoundBy: by, FoundAt: now, Log: []DangerEvent{{Action: ActionFound, By: by, At: now}}}
		deadline := now.Add(DefaultOnSpotDeadline)
		if it.Kind == ItemNumber {
			d.Fix, deadline = FixDeadline, now.Add(DefaultDeadline)
		}
		d.Deadline = &deadline
		out = append(out, d)
	}
	return out
}

// describe says in Chinese and English how item it failed with result r.
func describe(it Item, r Result) (zh, en string) {
	label := cmp.Or(it.En, it.Key)
	zh, en = it.Zh+"检查不合格", label+" failed"
	if it.Kind == ItemNumber && r.Value != nil {
		v := num(*r.Value, it.Unit)
		switch {
		case it.Max != nil && *r.Value > *it.Max:
			zh = fmt.Sprintf("%s读数 %s，超出上限 %s", it.Zh, v, num(*it.Max, it.Unit))
			en = fmt.Sprintf("%s reads %s, above the maximum %s", label, v, num(*it.Max, it.Unit))
		case it.Min != nil && *r.Value < *it.Min:
			zh = fmt.Sprintf("%s读数 %s，低于下限 %s", it.Zh, v, num(*it.Min, it.Unit))
			en = fmt.Sprintf("%s reads %s, below the minimum %s", label, v, num(*it.Min, it.Unit))
		}
	}
	if t := strings.TrimSpace(r.Text); t != "" {
		zh += "（" + t + "）"
		en += " (" + t + ")"
	}
	return zh, en
}

func num(x float64, unit string) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if unit != "" {
		s += " " + unit
	}
	return s
}

// Rectify records the rectification (整改) by by at at: the danger then
// awaits acceptance. A note or a photo of the work is required.
func (d *Danger) Rectify(by string, at time.Time, note string, photos []string) error {
	photos = slices.DeleteFunc(slices.Clone(photos), func(p string) bool { return strings.TrimSpace(p) == "" })
	if err := d.step(DangerRectifying, by, at, note, photos); err != nil {
		return err
	}
	if strings.TrimSpace(note) == "" && len(photos) == 0 {
		return refuse(CodeNoteRequired, nil, "a rectification needs a note or a photo")
	}
	d.Status = DangerAwaiting
	d.Log = append(d.Log, DangerEvent{Action: ActionRectified, By: by, At: at, Note: note, Photos: photos})
	return nil
}

// Accept records the acceptance (验收) by by at at and closes the danger.
// The acceptor must not be who rectified it: rectification and acceptance
// are separate hands in hidden-danger closure practice (隐患整改闭环, the
// rectifier does not accept their own work — verify against the site's
// rules).
func (d *Danger) Accept(by string, at time.Time, note string) error {
	if err := d.step(DangerAwaiting, by, at, note, nil); err != nil {
		return err
	}
	if r := d.Rectifier(); r != "" && r == strings.TrimSpace(by) {
		return refuse(CodeSamePerson, map[string]any{"rectified_by": r}, "%s rectified this hidden danger and may not accept it", r)
	}
	d.Status = DangerAccepted
	d.Log = append(d.Log, DangerEvent{Action: ActionAccepted, By: by, At: at, Note: note})
	return nil
}

// Reject sends a rectification back (验收不通过): the danger is
// rectifying again. The note, saying why, is required.
func (d *Danger) Reject(by string, at time.Time, note string) error {
	if err := d.step(DangerAwaiting, by, at, note, nil); err != nil {
		return err
	}
	if strings.TrimSpace(note) == "" {
		return refuse(CodeNoteRequired, nil, "a rejection needs a note saying why")
	}
	d.Status = DangerRectifying
	d.Log = append(d.Log, DangerEvent{Action: ActionRejected, By: by, At: at, Note: note})
	return nil
}

// Rectifier is who last rectified the danger, "" for no one yet.
func (d *Danger) Rectifier() string {
	for _, e := range slices.Backward(d.Log) {
		if e.Action == ActionRectified {
			return strings.TrimSpace(e.By)
		}
	}
	return ""
}

// Overdue reports whether the danger is still being rectified after its
// deadline. A danger awaiting acceptance is not: its rectification is in.
func (d *Danger) Overdue(now time.Time) bool {
	return d.Status == DangerRectifying && d.Deadline != nil && now.After(*d.Deadline)
}

// step checks the common conditions of a step from state want.
func (d *Danger) step(want, by string, at time.Time, note string, photos []string) error {
	switch {
	case d.Status != want:
		return refuse(CodeInvalidState, map[string]any{"status": d.Status}, "hidden danger %s is %s, not %s", d.ID, d.Status, want)
	case strings.TrimSpace(by) == "":
		return refuse(CodeByRequired, nil, "who takes the step is required")
	case len(d.Log) > 0 && at.Before(d.Log[len(d.Log)-1].At):
		return refuse(CodeInvalidTime, nil, "the step is dated before the last one (%s)", d.Log[len(d.Log)-1].At.Format(time.RFC3339))
	case len(note) > MaxTextBytes || !utf8.ValidString(note):
		return refuse(CodeInvalidInput, nil, "the note is too long or not UTF-8")
	case len(photos) > MaxPhotos || slices.ContainsFunc(photos, func(p string) bool { return len(p) > MaxPhotoBytes }):
		return refuse(CodeInvalidInput, nil, "too many photos or a photo id too long")
	}
	return nil
}
