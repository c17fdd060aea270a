package coverage

import (
	"strings"

	"github.com/chemtwin/chemtwin/twin"
)

// place is where a source or detector stands: the building around it (""
// outdoors), whether that is enclosed, and the floor (1 outdoors).
type place struct {
	building string
	env      Environment
	floor    int
}

// locate finds e's place: the building is its nearest building ancestor,
// else the building whose outline contains its point.
func locate(tx twin.Tx, e *twin.Entity) place {
	b := tx.Ancestor(e.ID, twin.KindBuilding)
	if b == nil {
		if id := containing(tx, e.Point(), twin.KindBuilding); id != "" {
			b = tx.Get(id)
		}
	}
	if b == nil {
		return place{env: Outdoor, floor: 1}
	}
	env := Enclosed
	if strings.EqualFold(strings.TrimSpace(b.String("enclosure")), "open") {
		env = OpenBuilding
	}
	return place{building: b.ID, env: env, floor: floorIn(e, b)}
}

// floorIn is e's floor in building b: its `floor` property, else the storey
// its height falls in (b's floor_height_m, capped at b's floors), else 1.
func floorIn(e, b *twin.Entity) int {
	if f := e.Float("floor", 0); f >= 1 {
		return int(f)
	}
	fh := b.Float("floor_height_m", 0)
	if fh <= 0 || e.Height <= 0 {
		return 1
	}
	n := int(e.Height/fh) + 1
	if top := int(b.Float("floors", 0)); top >= 1 && n > top {
		n = top
	}
	return n
}

// reaches reports whether gas released at p can reach a detector at q: the
// same enclosed building and floor, or both outside enclosed buildings on
// the same level.
func (p place) reaches(q place) bool {
	if p.env == Enclosed || q.env == Enclosed {
		return p.env == q.env && p.building == q.building && p.floor == q.floor
	}
	return p.floor == q.floor
}
