package rules

import (
	"math"
	"testing"
)

func TestStepGasCombustible(t *testing.T) {
	l := GasLimits{Alarm1: 25, Alarm2: 50, Deadband: 2}
	steps := []struct {
		v    float64
		want GasState
	}{
		{3, GasNormal}, {24.9, GasNormal}, {25, GasLevel1}, {24, GasLevel1}, // inside the deadband
		{22.9, GasNormal}, {60, GasLevel2}, {49, GasLevel2}, {47.9, GasLevel1},
		{30, GasLevel1}, {10, GasNormal}, {100, GasLevel2}, {0, GasNormal},
	}
	st := GasNormal
	for i, s := range steps {
		st = StepGas(st, s.v, false, l)
		if st != s.want {
			t.Fatalf("step %d (%.1f): %s, want %s", i, s.v, st, s.want)
		}
	}
	if StepGas(GasNormal, 3, true, l) != GasFault || StepGas(GasNormal, math.NaN(), false, l) != GasFault {
		t.Fatal("fault not detected")
	}
	if StepGas(GasFault, 3, false, l) != GasNormal {
		t.Fatal("fault does not recover")
	}
}

func TestStepGasOxygen(t *testing.T) {
	l := GasLimits{Alarm1: 19.5, Alarm2: 23.5, Oxygen: true, Deadband: 0.5}
	steps := []struct {
		v    float64
		want GasState
	}{
		{20.9, GasNormal}, {19.5, GasLevel2}, {19.8, GasLevel2}, {20.1, GasNormal},
		{23.5, GasLevel1}, {23.2, GasLevel1}, {22.9, GasNormal}, {18, GasLevel2},
	}
	st := GasNormal
	for i, s := range steps {
		st = StepGas(st, s.v, false, l)
		if st != s.want {
			t.Fatalf("step %d (%.1f): %s, want %s", i, s.v, st, s.want)
		}
	}
}
