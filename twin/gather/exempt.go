package gather

import (
	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// Gathering risk is watched where a crowd is a hazard: the production,
// storage and loading areas where a leak, fire or explosion would hit many
// people at once (the 2023 gathering-risk guide and AQ 3064.3-2025 §5.2.3
// are about 危险区域). People in the places they are meant to be in
// numbers — offices, control rooms, gatehouses, the fire station, labs —
// are not a gathering to disperse.
//
// A scene says so per area or building: the property `gathering` (true:
// watched, false: exempt) wins; otherwise a building whose `use`, or an
// area whose `area_type`, is one of the exempt ones below is exempt.
// Everything else, outdoors included, is watched.
var (
	exemptUse      = map[string]bool{"office": true, "control_room": true, "gatehouse": true, "fire_station": true, "lab": true, "canteen": true}
	exemptAreaType = map[string]bool{"office": true, "control": true, "gate": true}
)

// Exempt reports whether a person at the [lon, lat] point p is out of
// gathering watch: inside an exempt building or area (see above), or
// within a muster point's radius (应急集合点: where an evacuation order
// tells people to assemble). An explicit `gathering: true` on any zone
// containing p keeps it watched.
func Exempt(tx twin.Tx, p orb.Point) bool {
	if atMuster(tx, p) {
		return true
	}
	exempt := false
	forced := false
	tx.Containing(p, func(z *twin.Entity) bool {
		if z.Kind != twin.KindBuilding && z.Kind != twin.KindArea {
			return true
		}
		if v, ok := z.Props["gathering"].(bool); ok {
			if v {
				forced = true
				return false
			}
			exempt = true
			return true
		}
		switch z.Kind {
		case twin.KindBuilding:
			exempt = exempt || exemptUse[z.String("use")]
		case twin.KindArea:
			exempt = exempt || exemptAreaType[z.String("area_type")]
		}
		return true
	})
	return exempt && !forced
}

// atMuster reports whether p lies within a muster point's radius (the
// R-tree indexes a muster point by its disc's bound).
func atMuster(tx twin.Tx, p orb.Point) bool {
	at := false
	tx.Search(orb.Bound{Min: p, Max: p}, func(e *twin.Entity) bool {
		if e.Kind == twin.KindMusterPoint && geo.DistanceM(e.Point(), p) <= e.Float("radius_m", 0) {
			at = true
			return false
		}
		return true
	})
	return at
}
