package scenes_test

import (
	"fmt"
	"log"
	"os"

	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/twin"
)

func ExampleLoad() {
	s, err := scenes.Load(scenes.Demo())
	if err != nil {
		log.Fatal(err)
	}
	ts, err := s.Twin(twin.Options{})
	if err != nil {
		log.Fatal(err)
	}
	ts.View(func(tx twin.Tx) {
		fmt.Println(s.Site.ID, s.Site.Name, tx.Count(twin.KindGasDetector) > 100)
	})
	// Output: demo 宁东精细化工演示厂 true
}

func ExampleValidate() {
	for _, p := range scenes.Validate(os.DirFS("testdata/broken"))[:3] {
		fmt.Println(p)
	}
	// Output:
	// site.json: timezone "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons
	// areas.geojson: feature 2: missing id (set properties.id)
	// areas.geojson: A-KIND: unknown kind "pond"
}
