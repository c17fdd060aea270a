package scenes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/twin"
)

// Scene is a loaded scene folder: the site, its plant frame, every entity
// (layer features in file order, then people and vehicles) and the demo
// users. Treat it as immutable; Changes and Twin hand out copies.
type Scene struct {
	Site     Site
	Frame    *geo.Frame
	Entities []*twin.Entity
	Users    []DemoUser
	// Inspections are the routes and plans of inspections.json (none when
	// the scene has no such file); the points are Entities of kind
	// inspection_point.
	Inspections Inspections
}

// Load reads a scene folder. When the scene has problems, the error is the
// complete Problems list (errors.Is(err, ErrInvalid) holds).
func Load(fsys fs.FS) (*Scene, error) {
	l := newLoader(fsys)
	l.run()
	if len(l.probs) > 0 {
		return nil, l.probs
	}
	ents := make([]*twin.Entity, 0, len(l.ents)+len(l.reg.people)+len(l.reg.vehicles))
	ents = append(ents, l.ents...)
	for _, e := range append(append([]*twin.Entity{}, l.reg.people...), l.reg.vehicles...) {
		e.Parent = l.site.ID
		ents = append(ents, e)
	}
	return &Scene{Site: l.site, Frame: l.frame, Entities: ents, Users: l.reg.users, Inspections: l.insp}, nil
}

// Validate reads a scene folder and returns every problem it has (nil when
// it loads).
func Validate(fsys fs.FS) Problems {
	l := newLoader(fsys)
	l.run()
	return l.probs
}

// Open returns the scene folder dir: "demo" is the embedded demo plant,
// anything else a directory on disk, which must exist.
func Open(dir string) (fs.FS, error) {
	if dir == "demo" {
		return Demo(), nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("scenes: open scene: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("scenes: open scene %s: %w", dir, errNotDir)
	}
	return os.DirFS(dir), nil
}

var errNotDir = errors.New("not a directory")

// loader holds the state of one Load or Validate.
type loader struct {
	fsys  fs.FS
	probs Problems
	site  Site
	frame *geo.Frame
	ents  []*twin.Entity          // layer features, in file order
	file  map[string]string       // entity id → the file that defines it
	byID  map[string]*twin.Entity // layer features and registry entries
	reg   registry
	insp  Inspections // inspections.json
	// explicitRegistry: site.json names the registry, so it must exist.
	explicitRegistry bool
}

func newLoader(fsys fs.FS) *loader {
	return &loader{fsys: fsys, file: map[string]string{}, byID: map[string]*twin.Entity{}}
}

func (l *loader) run() {
	l.site, l.frame, l.explicitRegistry = loadSite(l.fsys, &l.probs)
	l.loadLayers()
	l.loadRegistry()
	l.checkRefs()
	l.checkInspectionPoints()
	l.loadInspections()
}

// loadLayers reads every *.geojson file at the top of the folder, by name.
func (l *loader) loadLayers() {
	entries, err := fs.ReadDir(l.fsys, ".")
	if err != nil {
		l.probs = append(l.probs, Problem{Reason: fmt.Sprintf("cannot list the scene folder: %v", err)})
		return
	}
	for _, de := range entries {
		name := de.Name()
		if de.IsDir() || !strings.EqualFold(path.Ext(name), ".geojson") {
			continue
		}
		r := report{&l.probs, name}
		data, err := readFile(l.fsys, name)
		if err != nil {
			r.add("", "cannot read: %v", err)
			continue
		}
		for _, rf := range decodeLayer(r, data) {
			if e := parseFeature(r, rf, l.frame); e != nil {
				l.define(r, e)
				l.ents = append(l.ents, e)
			}
		}
	}
}

// define records e's id, reporting a duplicate with where the first one is.
func (l *loader) define(r report, e *twin.Entity) {
	if e.ID == l.site.ID && l.site.ID != "" {
		r.add(e.ID, "duplicate id: it is the site id in %s", SiteFile)
		return
	}
	if first, dup := l.file[e.ID]; dup {
		r.add(e.ID, "duplicate id: also defined in %s", first)
		return
	}
	l.file[e.ID] = r.file
	l.byID[e.ID] = e
}

func (l *loader) loadRegistry() {
	name := l.site.Registry
	if name == "" || !fs.ValidPath(name) {
		return
	}
	r := report{&l.probs, name}
	data, err := readFile(l.fsys, name)
	if errors.Is(err, fs.ErrNotExist) && !l.explicitRegistry {
		return // no registry: a scene without people
	}
	if err != nil {
		r.add("", "cannot read: %v", err)
		return
	}
	l.reg = decodeRegistry(r, data)
	for _, e := range append(append([]*twin.Entity{}, l.reg.people...), l.reg.vehicles...) {
		l.define(r, e)
	}
}
