package scenes

import (
	"encoding/json"
	"io/fs"
	"math"
	"regexp"
	"time"
	_ "time/tzdata" // the site's timezone must load on hosts without zoneinfo

	"github.com/paulmach/orb"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// SiteFile is the name of the site description in a scene folder.
const SiteFile = "site.json"

// DefaultRegistry is the registry file used when site.json names none.
const DefaultRegistry = "registry.json"

// DefaultTimezone is the site timezone when site.json names none.
const DefaultTimezone = "Asia/Shanghai"

// Site is the plant described by site.json.
type Site struct {
	ID, Name, NameEn, Timezone, Registry string
	// Origin is the plant frame origin, [lon, lat] degrees.
	Origin orb.Point
	// ElevationM is the origin's height in metres (used as the frame's
	// height; the geoid separation, tens of metres, does not matter at plant
	// scale). RotationDeg is the bearing of plant +y clockwise from north.
	ElevationM, RotationDeg float64
	// Boundary is the site fence line, lon/lat; nil when site.json has none.
	Boundary orb.Polygon
	// Settings are free-form site parameters (e.g. "low_battery_pct": 20).
	Settings map[string]any
	// Location is Timezone loaded.
	Location *time.Location
}

// siteID is what a site id may look like: it appears in MQTT topics.
var siteID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

type siteDoc struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	NameEn      string          `json:"name_en"`
	Origin      []float64       `json:"origin"`
	ElevationM  float64         `json:"elevation_m"`
	RotationDeg float64         `json:"rotation_deg"`
	Timezone    string          `json:"timezone"`
	Boundary    json.RawMessage `json:"boundary"`
	Registry    *string         `json:"registry"`
	Settings    map[string]any  `json:"settings"`
}

// loadSite reads site.json. It returns the site and its frame; the frame is
// nil when the origin is unusable (features then cannot be range-checked).
// explicitRegistry reports whether site.json named the registry file.
func loadSite(fsys fs.FS, probs *Problems) (site Site, frame *geo.Frame, explicitRegistry bool) {
	r := report{probs, SiteFile}
	site.Registry = DefaultRegistry // read even when site.json is not
	data, err := readFile(fsys, SiteFile)
	if err != nil {
		r.add("", "cannot read: %v", err)
		return site, nil, false
	}
	var doc siteDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		r.add("", "%s", jsonReason(err, 0))
		return site, nil, false
	}
	site = Site{ID: doc.ID, Name: doc.Name, NameEn: doc.NameEn, ElevationM: doc.ElevationM,
		RotationDeg: doc.RotationDeg, Timezone: doc.Timezone, Registry: DefaultRegistry, Settings: doc.Settings}
	if doc.Registry != nil {
		site.Registry, explicitRegistry = *doc.Registry, true
	}
	if site.Settings == nil {
		site.Settings = map[string]any{}
	}
	checkSiteFields(r, &site)
	frame = siteFrame(r, &site, doc.Origin)
	site.Boundary = siteBoundary(r, doc.Boundary, frame)
	return site, frame, explicitRegistry
}

func checkSiteFields(r report, site *Site) {
	if !siteID.MatchString(site.ID) {
		r.add("", "id %q: want 1–64 letters, digits, '_' or '-' (it appears in MQTT topics)", site.ID)
	}
	if site.Name == "" {
		r.add("", "name is missing")
	}
	if site.Timezone == "" {
		site.Timezone = DefaultTimezone
	}
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		r.add("", "timezone %q: %v", site.Timezone, err)
		loc = time.UTC
	}
	site.Location = loc
	if site.Registry != "" && !fs.ValidPath(site.Registry) {
		r.add("", "registry %q is not a path inside the scene folder", site.Registry)
	}
	if site.ElevationM < -500 || site.ElevationM > 9000 {
		r.add("", "elevation_m %v is outside -500…9000 m", site.ElevationM)
	}
	if math.Abs(site.RotationDeg) > 360 {
		r.add("", "rotation_deg %v is outside ±360°", site.RotationDeg)
	}
}

func siteFrame(r report, site *Site, origin []float64) *geo.Frame {
	if len(origin) != 2 {
		r.add("", "origin: want [lon, lat], got %d number(s)", len(origin))
		return nil
	}
	site.Origin = orb.Point{origin[0], origin[1]}
	frame, err := geo.NewFrame(site.Origin, site.ElevationM, site.RotationDeg)
	if err != nil {
		r.add("", "origin: %v", err)
		return nil
	}
	return frame
}

func siteBoundary(r report, raw json.RawMessage, frame *geo.Frame) orb.Polygon {
	g, err := decodeGeometry(raw, 0)
	if err != nil {
		r.add("", "boundary: %v", err)
		return nil
	}
	if g == nil {
		return nil
	}
	p, ok := g.(orb.Polygon)
	if !ok {
		r.add("", "boundary: want a Polygon, got %s", g.GeoJSONType())
		return nil
	}
	if err := twin.CheckGeometry(p); err != nil {
		r.add("", "boundary: %v", err)
		return nil
	}
	if frame != nil {
		if d := farthestM(frame, p); d > MaxDistanceM {
			r.add("", "boundary reaches %.0f m from the origin (limit %d m)", d, MaxDistanceM)
		}
	}
	return p
}
