package scenes

import (
	"strings"

	"github.com/chemtwin/chemtwin/twin"
)

// checkRefs checks what points from one entity to another: parents (they
// exist, are not people or vehicles, and form no cycle), tank dikes, person
// ids in fences, risk units and hazard sources, and people's post areas.
func (l *loader) checkRefs() {
	for _, e := range l.ents {
		r := report{&l.probs, l.file[e.ID]}
		l.checkParent(r, e)
		l.checkEntityRefs(r, e)
	}
	l.checkCycles()
	for _, p := range l.reg.people {
		area := p.String("post_area")
		if a := l.byID[area]; area != "" && (a == nil || a.Kind != twin.KindArea) {
			report{&l.probs, l.site.Registry}.add(p.ID, "post_area %q is not an area", area)
		}
	}
}

func (l *loader) checkParent(r report, e *twin.Entity) {
	if e.Parent == "" || e.Parent == l.site.ID {
		return
	}
	switch p := l.byID[e.Parent]; {
	case p == nil:
		r.add(e.ID, "parent %s does not exist", e.Parent)
	case p.Kind.Mobile():
		r.add(e.ID, "parent %s is a %s", e.Parent, p.Kind)
	}
}

func (l *loader) checkEntityRefs(r report, e *twin.Entity) {
	switch e.Kind {
	case twin.KindTank:
		if dike := e.String("dike"); dike != "" && l.byID[dike] == nil {
			r.add(e.ID, "dike %s does not exist", dike)
		}
	case twin.KindFence:
		l.checkPersons(r, e, "required", e.Props["required"])
		for _, key := range []string{"authorized", "applies_to"} {
			sel, _ := e.Props[key].(map[string]any)
			l.checkPersons(r, e, key+".persons", sel["persons"])
		}
	case twin.KindRiskUnit:
		l.checkPersons(r, e, "responsible", e.Props["responsible"])
	case twin.KindHazardSource:
		resp, _ := e.Props["responsible"].(map[string]any)
		for _, k := range sortedKeys(resp) {
			l.checkPersons(r, e, "responsible."+k, resp[k])
		}
	}
}

// checkPersons reports ids in v (a string or a list of them) that are not
// people of the registry.
func (l *loader) checkPersons(r report, e *twin.Entity, key string, v any) {
	var ids []any
	switch v := v.(type) {
	case string:
		ids = []any{v}
	case []any:
		ids = v
	}
	for _, id := range ids {
		s, _ := id.(string)
		if p := l.byID[s]; p == nil || p.Kind != twin.KindPerson {
			r.add(e.ID, "%s: %s is not a person in the registry", key, describe(id))
		}
	}
}

// checkCycles reports each parent cycle once, at the first member met.
func (l *loader) checkCycles() {
	const (
		walking = 1
		done    = 2
	)
	state := make(map[string]int, len(l.ents))
	for _, e := range l.ents {
		var chain []string
		for id := e.ID; id != "" && state[id] != done; {
			if state[id] == walking {
				l.reportCycle(chain, id)
				break
			}
			state[id] = walking
			chain = append(chain, id)
			p := l.byID[id]
			if p == nil || p.Kind.Mobile() {
				break
			}
			id = p.Parent
		}
		for _, id := range chain {
			state[id] = done
		}
	}
}

func (l *loader) reportCycle(chain []string, back string) {
	start := 0
	for chain[start] != back {
		start++
	}
	loop := append(append([]string{}, chain[start:]...), back)
	r := report{&l.probs, l.file[back]}
	r.add(back, "parent cycle: %s", strings.Join(loop, " → "))
}
