package threat

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

// Alarms is what the service raises and clears its alarms through
// (*alarm.Manager satisfies it).
type Alarms = alarm.Raiser

// Notice tells one person in a threat zone to leave it: published on their
// tag (chemtwin/{site}/tags/{tag}/notify) and to the viewers. A person is
// told once per zone level, again when they reach a more dangerous zone.
type Notice struct {
	Tag       string  `json:"tag"`
	PersonID  string  `json:"person_id"`
	Kind      string  `json:"kind"` // "evacuate"
	Evacuate  bool    `json:"evacuate"`
	ZoneID    string  `json:"zone_id"`
	Level     int     `json:"level"` // 3 red, 2 orange, 1 yellow
	Substance string  `json:"substance"`
	Guideline string  `json:"guideline"`
	PPM       float64 `json:"ppm"`
	// HeadingDeg is the way out: crosswind, away from the plume's axis,
	// degrees clockwise from north. Leaving crosswind is the shortest way
	// out of a plume (walking downwind stays in it, upwind passes the
	// source).
	HeadingDeg float64   `json:"heading_deg"`
	Message    string    `json:"message"`    // zh-CN
	MessageEn  string    `json:"message_en"` // English
	At         time.Time `json:"at"`
}

// whereabouts is a person the zones hold: their tag and position.
type whereabouts struct {
	tag string
	at  orb.Point // lon/lat
}

// escalate raises an evacuation alarm for each threat zone that holds
// people (one per zone, updated as people come and go, cleared when it
// empties or goes), and tells each person in a zone the way out. It runs
// on Run's goroutine after the zones are written; no lock is held.
func (s *Service) escalate(now time.Time) {
	if s.opts.Alarms == nil && s.opts.Notify == nil {
		return
	}
	due := map[string]alarm.Raise{}
	worst := map[string]*Zone{} // person → most dangerous zone holding them
	worstIn := map[string]*incident{}
	for _, k := range slices.Sorted(maps.Keys(s.current)) {
		in := s.current[k]
		for i := range in.Zones {
			z := &in.Zones[i]
			if z.Kind != "threat" || len(z.People) == 0 {
				continue
			}
			due[alarmKey(z.ID)] = s.evacuation(in, z, now)
			for _, p := range z.People {
				if w := worst[p]; w == nil || z.Level > w.Level {
					worst[p], worstIn[p] = z, in
				}
			}
		}
	}
	if s.opts.Alarms != nil {
		s.syncAlarms(due, now)
	}
	for p := range s.told {
		if worst[p] == nil {
			delete(s.told, p) // out of every zone: told again should they go back in
		}
	}
	for _, p := range slices.Sorted(maps.Keys(worst)) {
		z, in := worst[p], worstIn[p]
		if s.told[p] >= z.Level {
			continue
		}
		w, ok := s.people[p]
		if !ok || w.tag == "" {
			continue
		}
		s.told[p] = z.Level
		if s.opts.Notify != nil {
			s.opts.Notify(s.notice(p, w, in, z, now))
		}
	}
}

func alarmKey(zoneID string) string { return string(alarm.Evacuation) + ":" + zoneID }

// syncAlarms raises the due alarms whose people changed and clears those
// no longer due.
func (s *Service) syncAlarms(due map[string]alarm.Raise, now time.Time) {
	ctx := context.Background()
	for _, key := range slices.Sorted(maps.Keys(due)) {
		r := due[key]
		sig := fmt.Sprint(r.Level, r.Details["people"])
		if s.raised[key] == sig {
			continue
		}
		if _, _, err := s.opts.Alarms.Raise(ctx, r); err != nil {
			s.log.Error("evacuation alarm not raised", "zone", r.EntityID, "err", err)
			continue
		}
		s.raised[key] = sig
	}
	for _, key := range slices.Sorted(maps.Keys(s.raised)) {
		if _, ok := due[key]; ok {
			continue
		}
		if _, _, err := s.opts.Alarms.Clear(ctx, key, now); err != nil {
			s.log.Error("evacuation alarm not cleared", "key", key, "err", err)
			continue
		}
		delete(s.raised, key)
	}
}

// colourZh names a zone's colour in Chinese.
var colourZh = map[string]string{"red": "红色", "orange": "橙色", "yellow": "黄色"}

// evacuation is the alarm of one zone holding people.
func (s *Service) evacuation(in *incident, z *Zone, now time.Time) alarm.Raise {
	people := make([]any, len(z.People))
	for i, p := range z.People {
		people[i] = p
	}
	name := s.substanceName(in.Substance)
	return alarm.Raise{
		Key: alarmKey(z.ID), Type: alarm.Evacuation, Level: z.Level, EntityID: z.ID,
		Lon: in.Source.Lon, Lat: in.Source.Lat, At: now,
		Message: fmt.Sprintf("%d 人位于%s泄漏%s威胁区（%s，%g ppm），请组织疏散",
			len(z.People), name.zh, colourZh[z.Color], z.Guideline, z.PPM),
		MessageEn: fmt.Sprintf("%d %s in the %s %s threat zone (%s, %g ppm): evacuate",
			len(z.People), plural(len(z.People), "person", "people"), in.Substance, z.Color, z.Guideline, z.PPM),
		Details: map[string]any{
			"people": people, "people_at_risk": len(z.People), "substance": in.Substance, "zone_level": z.Level,
			"color": z.Color, "ppm": z.PPM, "guideline": z.Guideline, "source_id": in.Source.ID,
		},
	}
}

// notice is the message to person p in zone z.
func (s *Service) notice(p string, w whereabouts, in *incident, z *Zone, now time.Time) Notice {
	heading := s.exitHeading(in, w.at)
	zh, en := compass(heading)
	name := s.substanceName(in.Substance)
	return Notice{
		Tag: w.tag, PersonID: p, Kind: "evacuate", Evacuate: true, ZoneID: z.ID, Level: z.Level,
		Substance: in.Substance, Guideline: z.Guideline, PPM: z.PPM, HeadingDeg: math.Round(heading), At: now,
		Message:   fmt.Sprintf("您位于%s泄漏%s威胁区，请立即向%s方向（侧风）撤离", name.zh, colourZh[z.Color], zh),
		MessageEn: fmt.Sprintf("You are in the %s %s threat zone: leave now towards the %s (crosswind)", in.Substance, z.Color, en),
	}
}

// exitHeading is the crosswind direction away from the plume's axis at
// lon/lat p, degrees clockwise from north.
func (s *Service) exitHeading(in *incident, p orb.Point) float64 {
	d := plume.Downwind(in.Weather.WindFromDeg)
	src, at := s.enu(orb.Point{in.Source.Lon, in.Source.Lat}), s.enu(p)
	e, n := at[0]-src[0], at[1]-src[1]
	left := orb.Point{-d[1], d[0]} // crosswind, to the left of the wind
	if e*left[0]+n*left[1] < 0 {
		left = orb.Point{d[1], -d[0]}
	}
	return math.Mod(math.Atan2(left[0], left[1])*180/math.Pi+360, 360)
}

// compass names a heading on an eight-point rose.
func compass(deg float64) (zh, en string) {
	i := int(math.Round(math.Mod(deg+360, 360)/45)) % 8
	return [8]string{"北", "东北", "东", "东南", "南", "西南", "西", "西北"}[i],
		[8]string{"north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"}[i]
}

type names struct{ zh, en string }

// substanceName is a substance's Chinese and English names.
func (s *Service) substanceName(id string) names {
	if sub, err := s.opts.Library.Get(id); err == nil {
		return names{sub.NameZh, sub.NameEn}
	}
	return names{id, id}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// personAt records a person the zones may hold; Run's goroutine only.
func personAt(e *twin.Entity) whereabouts {
	w := whereabouts{at: e.Point()}
	if e.Mobile != nil {
		w.tag = e.Mobile.Tag
	}
	return w
}
