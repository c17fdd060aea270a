package permit

import (
	"slices"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin/twin/substance"
)

// The confined-space register (GB 30871-2022 §6: count the people and the
// tools going in and coming out; the guardian stays outside). Every entry
// and exit is a step of its own in the permit's log; the work cannot be
// closed while the register shows anyone or anything inside.

// RegisterEntry is one passage through a confined space's opening.
type RegisterEntry struct {
	Kind      string    `json:"kind"`      // person or tool
	ID        string    `json:"id"`        // the person id, or the tool's name and number
	Direction string    `json:"direction"` // in or out
	At        time.Time `json:"at"`
	By        string    `json:"by"`
}

// Inside is who and what the register shows inside.
type Inside struct {
	People []string `json:"people"`
	Tools  []string `json:"tools"`
}

// inside replays the register.
func (p *Permit) inside() Inside {
	in := Inside{People: []string{}, Tools: []string{}}
	for _, e := range p.Register {
		list := &in.People
		if e.Kind == "tool" {
			list = &in.Tools
		}
		if e.Direction == "in" {
			*list = append(*list, e.ID)
		} else if i := slices.Index(*list, e.ID); i >= 0 {
			*list = slices.Delete(*list, i, i+1)
		}
	}
	slices.Sort(in.People)
	slices.Sort(in.Tools)
	return in
}

// Register records a person or tool going into (in) or coming out of
// (out) a confined space. In only while the work runs, and only a listed
// worker — never the guardian, who stays outside; out also while the work
// is suspended (everyone leaves). A tool is named by its name and number
// (“气体检测仪 #2”); the same name twice inside is refused.
func (r *Rules) Register(p *Permit, kind, id, direction, by string, at time.Time) error {
	if p.Type != "confined_space" {
		return refuse("not_confined_space", "only a confined-space permit keeps an entry register")
	}
	id = strings.TrimSpace(id)
	switch {
	case kind != "person" && kind != "tool":
		return refuse("invalid_request", "register kind %q: want person or tool", kind)
	case direction != "in" && direction != "out":
		return refuse("invalid_request", "register direction %q: want in or out", direction)
	case id == "" || len(id) > 128:
		return refuse("invalid_request", "a register entry names the person or the tool (1–128 bytes)")
	}
	if direction == "in" {
		if err := p.step("enter", "in_progress"); err != nil {
			return err
		}
	} else if err := p.step("leave", "in_progress", "suspended"); err != nil {
		return err
	}
	in := p.inside()
	list := in.People
	if kind == "tool" {
		list = in.Tools
	}
	inNow := slices.Contains(list, id)
	switch {
	case direction == "in" && kind == "person" && id == p.Guardian:
		return refuse("guardian_stays_outside", "the guardian %s stays outside the confined space", id)
	case direction == "in" && kind == "person" && !slices.Contains(p.Workers, id):
		return refuse("not_a_worker", "%s is not a worker of this permit", id)
	case direction == "in" && inNow:
		return refuse("already_inside", "%s is already inside", id)
	case direction == "out" && !inNow:
		return refuse("not_inside", "%s is not inside", id)
	}
	p.Register = append(p.Register, RegisterEntry{Kind: kind, ID: id, Direction: direction, At: at, By: by})
	return nil
}

// checkEmpty refuses to close a confined space with anyone or anything
// inside by its register.
func (p *Permit) checkEmpty() error {
	if p.Type != "confined_space" {
		return nil
	}
	in := p.inside()
	switch {
	case len(in.People) > 0:
		return refuse("people_inside", "the register shows %s still inside", strings.Join(in.People, ", "))
	case len(in.Tools) > 0:
		return refuse("tools_inside", "the register shows tools still inside: %s", strings.Join(in.Tools, ", "))
	}
	return nil
}

// recordReadings records the readings of the detectors at a confined
// space's work as gas analyses (by "detector:<id>"), the continuous
// monitoring's record GB 30871-2022 §6 asks every 2 h; it reports whether
// any was recorded (none: no detector there with a reading the pass rule
// can judge).
func (s *Service) recordReadings(p *Permit, lv *Live, now time.Time) bool {
	n := 0
	for _, lg := range lv.Gas {
		if lg.Value == nil || lg.Substance == "" {
			continue
		}
		sub, err := s.opts.Library.Get(lg.Substance)
		if err != nil {
			continue
		}
		u, err := substance.ParseUnit(lg.Unit)
		if err != nil {
			continue
		}
		a, err := s.opts.Rules.AddGasAnalysis(p, sub, *lg.Value, u, now, "detector:"+lg.DetectorID, false)
		if err != nil {
			continue
		}
		if _, err := p.Record("system", "gas_analysis", map[string]any{"gas": a.Gas, "value": a.Value, "unit": string(a.Unit),
			"sampled_at": a.SampledAt, "pass": a.Verdict.Pass, "detector_id": lg.DetectorID}, now); err != nil {
			s.log.Error("confined-space reading not logged", "permit", p.ID, "err", err)
			continue
		}
		n++
	}
	return n > 0
}
