package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/chemtwin/chemtwin"
	"github.com/chemtwin/chemtwin/sim"
)

func serve(ctx context.Context, args []string) int {
	var cfg chemtwin.Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "HTTP listen address")
	fs.StringVar(&cfg.Scene, "scene", "", `scene folder, or "demo" (default "demo")`)
	fs.StringVar(&cfg.Data, "data", "data", "data folder")
	fs.StringVar(&cfg.DB, "db", "", "sqlite:PATH or postgres://… (default sqlite:DATA/chemtwin.db)")
	fs.StringVar(&cfg.MQTT, "mqtt", "embedded", `"embedded" or tcp://host:port of an external broker`)
	fs.StringVar(&cfg.MQTTListen, "mqtt-listen", "", "embedded broker address (default 127.0.0.1:1883, or a free port when that is taken)")
	fs.BoolVar(&cfg.Simulate, "simulate", false, "run the plant simulator")
	fs.Uint64Var(&cfg.SimSeed, "sim-seed", 1, "simulator seed")
	bleShare := fs.Float64("sim-ble-share", 0.3, "share (0–1) of simulated people with BLE tags reporting rssi (solved by the positioning engine); 0: none")
	fs.StringVar(&cfg.Scenario, "scenario", "", "play a scripted gas release in the simulator: "+strings.Join(sim.ScenarioNames(), " or "))
	fs.DurationVar(&cfg.ScenarioStart, "scenario-start", 30*time.Second, "when the --scenario release starts after the simulator")
	fs.BoolVar(&cfg.Demo, "demo", false, "= --scene demo --simulate, plus the demo users (password demo)")
	fs.StringVar(&cfg.WebDir, "web-dir", "", "serve the viewer from this folder (development)")
	fs.IntVar(&cfg.HistoryBuffer, "history-buffer", 0, "history rows per kind held in memory while the database is unreachable (default 200000)")
	fs.DurationVar(&cfg.KeepPositions, "keep-positions", 0, "retention of position history (default 400 days = 9600h; negative keeps forever)")
	fs.DurationVar(&cfg.KeepReadings, "keep-readings", 0, "retention of raw detector readings (default 9600h)")
	fs.DurationVar(&cfg.KeepRollups, "keep-rollups", 0, "retention of per-minute reading rollups (default 3 years = 26280h)")
	fs.StringVar(&cfg.ParkURL, "park-url", "", "park platform URL for the AQ 3064.3 Annex B upload (https; token from $CHEMTWIN_PARK_TOKEN)")
	fs.StringVar(&cfg.ParkEnterprise, "park-enterprise", "", "enterprise code the park assigned (required with --park-url)")
	fs.DurationVar(&cfg.ParkInterval, "park-interval", 0, "park push period (default and at most 30s)")
	fs.StringVar(&cfg.ParkCA, "park-ca", "", "PEM file of the park platform's CA (optional)")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg.SimBLEShare = *bleShare
	if cfg.SimBLEShare == 0 {
		cfg.SimBLEShare = -1 // on the command line 0 means none; in Config, the default
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "chemtwin: --log-level: %v\n", err)
		return 2
	}
	cfg.ParkToken = os.Getenv("CHEMTWIN_PARK_TOKEN") // not a flag: it would show in ps
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lv}))
	chemtwin.Version = version()
	svc, err := chemtwin.New(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("chemtwin: viewer at %s (mqtt %s)\n", svc.URL(), svc.MQTTURL())
	if err := svc.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func version() string {
	if chemtwin.Version != "dev" {
		return chemtwin.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
