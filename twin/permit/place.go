package permit

import (
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// The hot-work level a place calls for (GB 30871-2022 §5.1.2, REFERENCE
// §3): 特级 on running equipment in a fire and explosion hazard area, and
// inside the dike of a major-hazard tank farm holding flammable media;
// 一级 elsewhere in a fire and explosion hazard area and on pipe racks;
// 二级 everywhere else. The scene says where these are: areas and units
// with fire_zone: true, areas of area_type pipe_rack, and dikes — the
// areas tanks name as their dike — that a major hazard source covers.

// hotWorkRank orders the hot-work levels: the higher, the stricter.
var hotWorkRank = map[string]int{"2": 0, "1": 1, "special": 2}

// placeLevel is the lowest hot-work level the work area g calls for and
// why ("major_hazard_dike:<area>", "running_equipment:<area>",
// "fire_zone:<area>", "pipe_rack:<area>"); "2" with no reason elsewhere.
func (s *Service) placeLevel(g orb.Geometry, onRunningEquipment bool) (string, []string) {
	c := geo.Centroid(g)
	level, why := "2", []string(nil)
	raise := func(l, reason string) {
		if hotWorkRank[l] > hotWorkRank[level] {
			level = l
		}
		if !slices.Contains(why, reason) {
			why = append(why, reason)
		}
	}
	s.opts.Scene.View(func(tx twin.Tx) {
		var dikes []*twin.Entity
		tx.Search(g.Bound(), func(e *twin.Entity) bool {
			if (e.Kind != twin.KindArea && e.Kind != twin.KindUnit) || !geo.Contains(e.Geometry, c) {
				return true
			}
			if f, _ := e.Props["fire_zone"].(bool); f {
				if onRunningEquipment {
					raise("special", "running_equipment:"+e.ID)
				} else {
					raise("1", "fire_zone:"+e.ID)
				}
			}
			if e.String("area_type") == "pipe_rack" {
				raise("1", "pipe_rack:"+e.ID)
			}
			if e.Kind == twin.KindArea {
				dikes = append(dikes, e)
			}
			return true
		})
		for _, d := range dikes {
			if majorHazardDike(tx, d) {
				raise("special", "major_hazard_dike:"+d.ID)
			}
		}
	})
	return level, why
}

// majorHazardDike reports whether area d is a tank dike (a tank names it
// as its dike) and a major hazard source covers one of its tanks.
func majorHazardDike(tx twin.Tx, d *twin.Entity) bool {
	found := false
	tx.Search(d.Geometry.Bound(), func(tank *twin.Entity) bool {
		if tank.Kind != twin.KindTank || tank.String("dike") != d.ID || !tank.Placed() {
			return true
		}
		tx.Search(orb.Bound{Min: tank.Point(), Max: tank.Point()}, func(h *twin.Entity) bool {
			if h.Kind == twin.KindHazardSource && geo.Contains(h.Geometry, tank.Point()) {
				found = true
			}
			return !found
		})
		return !found
	})
	return found
}

// checkPlace refuses hot work booked below the level its place calls for.
func (s *Service) checkPlace(q *Request, g orb.Geometry, onRunningEquipment bool) error {
	if q.Type != "hot_work" {
		return nil
	}
	need, why := s.placeLevel(g, onRunningEquipment)
	q.LevelBasis = why
	if _, ok := hotWorkRank[q.Level]; ok && hotWorkRank[q.Level] < hotWorkRank[need] {
		t, _ := s.opts.Rules.Type("hot_work")
		l, _ := t.Level(need)
		return refuse("level_too_low", "hot work here is %s (%s) at least (GB 30871-2022 §5.1.2): %s", l.NameZh, l.NameEn, strings.Join(why, ", "))
	}
	return nil
}
