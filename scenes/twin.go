package scenes

import (
	"fmt"

	"github.com/chemtwin/chemtwin/twin"
)

// Changes returns the scene as twin changes: an Upsert of the site root
// (kind site, id = site id, geometry = boundary, props name_en, timezone,
// origin, elevation_m, rotation_deg, settings), then one Upsert per entity.
// Every call returns new entities: Apply takes ownership of them.
func (s *Scene) Changes() []twin.Change {
	changes := make([]twin.Change, 0, len(s.Entities)+1)
	root := &twin.Entity{
		ID: s.Site.ID, Kind: twin.KindSite, Name: s.Site.Name,
		Props: map[string]any{
			"name_en":      s.Site.NameEn,
			"timezone":     s.Site.Timezone,
			"origin":       []any{s.Site.Origin[0], s.Site.Origin[1]},
			"elevation_m":  s.Site.ElevationM,
			"rotation_deg": s.Site.RotationDeg,
			"settings":     s.Site.Settings,
		},
	}
	if s.Site.Boundary != nil {
		root.Geometry = s.Site.Boundary
	}
	changes = append(changes, twin.Upsert{Entity: root})
	for _, e := range s.Entities {
		changes = append(changes, twin.Upsert{Entity: e.Clone()})
	}
	return changes
}

// Twin builds a twin scene holding this scene: opts.SiteID and opts.Frame
// are set from the site, then every change of Changes is applied. It fails
// if any change fails.
func (s *Scene) Twin(opts twin.Options) (*twin.Scene, error) {
	opts.SiteID = s.Site.ID
	opts.Frame = s.Frame
	ts := twin.New(opts)
	if err := ts.Apply(s.Changes()...).Err(); err != nil {
		return nil, fmt.Errorf("scenes: build twin of %s: %w", s.Site.ID, err)
	}
	return ts, nil
}
