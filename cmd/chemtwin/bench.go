package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/chemtwin/chemtwin/internal/bench"
)

// runBench runs `chemtwin bench NAME [--json]`.
func runBench(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: chemtwin bench index|ingest|store|positioning|geofence|plume|permits|inspections|evacuation [--json] [flags]")
		return 2
	}
	name := args[0]
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object")
	var result any
	var run func() error
	switch name {
	case "index":
		var o bench.IndexOptions
		fs.IntVar(&o.Tags, "tags", 10000, "moving tags")
		fs.IntVar(&o.Fences, "fences", 500, "fences")
		fs.DurationVar(&o.Duration, "duration", 0, "time per phase (default 2s)")
		run = func() (err error) { result, err = bench.Index(o); return err }
	case "ingest":
		var o bench.IngestOptions
		fs.IntVar(&o.Tags, "tags", 5000, "tags publishing")
		fs.IntVar(&o.Rate, "rate", 5000, "positions per second in the latency phase")
		fs.DurationVar(&o.Duration, "duration", 0, "latency phase length (default 10s)")
		fs.IntVar(&o.Burst, "burst", 0, "positions published flat out in the throughput phase (default 200000)")
		fs.StringVar(&o.Broker, "mqtt", "", "external broker tcp://host:port (default: the embedded one)")
		run = func() (err error) { result, err = bench.Ingest(ctx, o); return err }
	case "store":
		var o bench.StoreOptions
		fs.StringVar(&o.Postgres, "db", "", "postgres://… URL to measure PostgreSQL too (default $"+bench.EnvPostgres+"); SQLite is always measured")
		fs.IntVar(&o.Rows, "rows", 200000, "rows per kind in the append phase")
		fs.IntVar(&o.Batch, "batch", 5000, "rows per append")
		fs.IntVar(&o.People, "people", 300, "people in the simulated history")
		fs.DurationVar(&o.History, "history", 12*time.Hour, "simulated history before the track query (a week: 168h)")
		fs.DurationVar(&o.FixEvery, "fix-every", 5*time.Second, "one kept fix per person every this long")
		run = func() (err error) { result, err = bench.Store(ctx, o); return err }
	case "positioning":
		var o bench.PositioningOptions
		fs.Uint64Var(&o.Seed, "seed", 1, "seed of the channel noise and the routes")
		fs.IntVar(&o.Tags, "tags", 1000, "tags in the throughput phase")
		fs.DurationVar(&o.Duration, "duration", 2*time.Second, "measuring time of each throughput phase")
		run = func() (err error) { result, err = bench.Positioning(ctx, o); return err }
	case "geofence":
		var o bench.GeofenceOptions
		fs.IntVar(&o.Tags, "tags", 10000, "tags (one in ten a vehicle)")
		fs.IntVar(&o.Fences, "fences", 500, "fences of every rule, one in ten moving")
		fs.DurationVar(&o.Duration, "duration", 3*time.Second, "measuring time of the in-process workload")
		e2e := fs.Bool("e2e", true, "also run both workloads end to end over MQTT")
		run = func() error {
			in, err := bench.Geofence(ctx, o)
			if err != nil || !*e2e {
				result = in
				return err
			}
			out, err := bench.GeofenceE2E(ctx, o)
			result = struct {
				bench.GeofenceResult
				bench.GeofenceE2EResult
				TargetUpdatesPerS    int `json:"target_updates_per_s"`
				TargetRefE2EUpdatesS int `json:"target_ref_e2e_updates_per_s"`
				TargetLatencyP99Ms   int `json:"target_alarm_latency_p99_ms"`
			}{in, out, 300000, 60000, 20}
			return err
		}
	case "plume":
		var o bench.PlumeOptions
		fs.Uint64Var(&o.Seed, "seed", 1, "seed of the detector layout and the reading noise")
		fs.Float64Var(&o.DomainM, "domain-m", 2000, "side of the square threat-zone grid, m")
		fs.Float64Var(&o.CellM, "cell-m", 5, "grid cell, m")
		fs.IntVar(&o.Candidates, "candidates", 30, "candidate release sources of the source estimation")
		fs.IntVar(&o.Detectors, "detectors", 50, "detectors of the source estimation")
		run = func() (err error) { result, err = bench.Plume(ctx, o); return err }
	case "permits":
		var o bench.PermitsOptions
		fs.Uint64Var(&o.Seed, "seed", 1, "seed of the layout")
		fs.IntVar(&o.Permits, "permits", 200, "permits in progress")
		fs.IntVar(&o.People, "people", 2000, "people walking about besides each permit's worker and guardian")
		fs.IntVar(&o.Detectors, "detectors", 400, "gas detectors")
		fs.IntVar(&o.Rounds, "rounds", 50, "watch rounds timed")
		run = func() (err error) { result, err = bench.Permits(ctx, o); return err }
	case "inspections":
		var o bench.InspectionsOptions
		fs.IntVar(&o.Points, "points", 1000, "inspection points")
		fs.IntVar(&o.People, "people", 2000, "tags reporting")
		fs.IntVar(&o.Fixes, "fixes", 1_000_000, "fixes fed to the dwell tracker")
		run = func() (err error) { result, err = bench.Inspections(ctx, o); return err }
	case "evacuation":
		var o bench.EvacuationOptions
		fs.Uint64Var(&o.Seed, "seed", 1, "seed of the people's positions")
		fs.IntVar(&o.Streets, "streets", 130, "streets each way of the grid plant (130: 100,360 edges)")
		fs.IntVar(&o.People, "people", 10000, "people to evacuate")
		fs.IntVar(&o.Musters, "musters", 8, "muster points")
		fs.IntVar(&o.Runs, "runs", 7, "plans and re-plans timed (median)")
		run = func() (err error) { result, err = bench.Evacuation(ctx, o); return err }
	default:
		fmt.Fprintf(os.Stderr, "chemtwin: unknown benchmark %q (index, ingest, store, positioning, geofence, plume, permits, inspections, evacuation)\n", name)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "chemtwin bench:", err)
		return 1
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(result)
		return 0
	}
	out, _ := json.MarshalIndent(result, "", "  ")
	fmt.Println(string(out))
	return 0
}
