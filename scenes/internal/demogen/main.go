// Command demogen writes chemtwin's embedded demo scene: a fine-chemical
// plant of about 1 km² at the Ningdong energy-chemical base (宁东能源化工基地),
// drawn in plant-frame metres and converted to WGS84 with geo.Frame. The
// output is deterministic: the same program writes the same bytes.
//
//	go run ./scenes/internal/demogen -out scenes/demo
//
// The plant: offices, the control room and the main gate upwind in the
// north-west (prevailing wind NW), the tank farm (methanol and liquid
// ammonia inside one dike) and the loading area downwind in the south-east,
// process units in the middle row, a ring road and an internal road grid of
// 7–9 m fire lanes, sidewalks, paths to every door, indoor corridors and
// stairs, and the detectors, beacons, cameras, fences, risk units and
// registry that go with them, and the inspection points with their routes
// and plans (inspections.json).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

func main() {
	out := flag.String("out", "scenes/demo", "folder to write the scene to")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "demogen:", err)
		os.Exit(1)
	}
}

// write generates the plant into dir, replacing the files it owns and
// removing stale *.geojson and *.json files.
func write(dir string) error {
	files, err := generate()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "*json"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if _, keep := files[filepath.Base(f)]; !keep {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedNames(files) {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate builds the plant and returns its files by name.
func generate() (map[string][]byte, error) {
	p, err := newPlant()
	if err != nil {
		return nil, err
	}
	p.build()
	if err := p.check(); err != nil {
		return nil, err
	}
	return p.files()
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
