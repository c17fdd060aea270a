package main

import (
	"strings"
	"testing"

	"github.com/chemtwin/chemtwin/scenes"
)

func TestSceneValidate(t *testing.T) {
	if code := scene([]string{"validate", "demo"}); code != 0 {
		t.Fatalf("demo: exit %d", code)
	}
	if code := scene([]string{"validate", "../../scenes/testdata/broken"}); code != 1 {
		t.Fatalf("broken scene: exit %d", code)
	}
	if code := scene([]string{"validate"}); code != 2 {
		t.Fatalf("usage: exit %d", code)
	}
}

func TestNetworkProblemsReportDisconnectedParts(t *testing.T) {
	fsys, err := scenes.Open("../../scenes/testdata/qgis")
	if err != nil {
		t.Fatal(err)
	}
	ps := networkProblems(fsys)
	if len(ps) != 1 || ps[0].ID != "ST-01" || !strings.Contains(ps[0].Reason, "not connected") {
		t.Fatalf("problems = %v", ps)
	}
	if ps := networkProblems(scenes.Demo()); len(ps) != 0 {
		t.Fatalf("demo network: %v", ps)
	}
}
