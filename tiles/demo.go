package tiles

import _ "embed"

// demoArchive is the demo plant's site plan, baked by
//
//	chemtwin tiles bake --scene demo --out tiles/demo.pmtiles
//
// (English labels in the bundled Go font, z14–z19). TestDemoGolden fails when
// it differs from a fresh bake; `go test ./tiles -run TestDemoGolden -update`
// rewrites it.
//
//go:embed demo.pmtiles
var demoArchive []byte

// DemoName is the name the demo archive is served under.
const DemoName = "demo"

// Demo returns the embedded demo archive (the basemap of scenes.Open("demo")),
// nil if the binary was built without it. The bytes are shared: do not
// modify them.
func Demo() []byte {
	if len(demoArchive) == 0 {
		return nil
	}
	return demoArchive
}
