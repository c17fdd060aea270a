// Package chemtwin assembles the service: it loads the scene into the twin,
// opens the store (SQLite or PostgreSQL), starts the MQTT broker and ingest,
// the rules, the history recorder and retention, the stream hub, the
// simulator and the HTTP API, and runs them until its context ends.
// cmd/chemtwin only parses flags into a Config and calls New and Run.
package chemtwin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/chemtwin/chemtwin/api"
	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/history"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/ingest/broker"
	"github.com/chemtwin/chemtwin/park"
	"github.com/chemtwin/chemtwin/scenes"
	"github.com/chemtwin/chemtwin/sim"
	"github.com/chemtwin/chemtwin/store"
	"github.com/chemtwin/chemtwin/store/postgres"
	"github.com/chemtwin/chemtwin/store/sqlite"
	"github.com/chemtwin/chemtwin/stream"
	"github.com/chemtwin/chemtwin/tiles"
	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/evac"
	"github.com/chemtwin/chemtwin/twin/fence"
	"github.com/chemtwin/chemtwin/twin/gather"
	"github.com/chemtwin/chemtwin/twin/inspect"
	"github.com/chemtwin/chemtwin/twin/permit"
	"github.com/chemtwin/chemtwin/twin/permit/form"
	"github.com/chemtwin/chemtwin/twin/rules"
	"github.com/chemtwin/chemtwin/twin/threat"
	"github.com/chemtwin/chemtwin/twin/video"
	"github.com/chemtwin/chemtwin/web/cesium"
)

// Version is the build's version, set with -ldflags "-X …".
var Version = "dev"

// Service is one running chemtwin. New opens everything that can fail
// (scene, store, sockets) so that errors surface before Run.
type Service struct {
	cfg   Config
	log   *slog.Logger
	scene *twin.Scene
	site  scenes.Site
	// sceneInspections are the scene's inspection routes and plans.
	sceneInspections scenes.Inspections
	store            store.Store
	alarms           *alarm.Manager
	events           *store.Writer
	record           *history.Recorder
	retain           *history.Retention
	hub              *stream.Hub
	rules            *rules.Engine
	gather           *gather.Service
	fences           *fence.Service
	threat           *threat.Service // nil for a scene without a plant frame
	permits          *permit.Service
	inspect          *inspect.Service
	evac             *evac.Service  // nil without a plant frame
	video            *video.Linker  // nil for a scene without a plant frame
	park             *park.Uploader // nil without --park-url
	broker           *broker.Broker // nil with an external broker
	ingest           *ingest.Ingest
	sim              *sim.Sim // nil unless simulating
	tiles            *tiles.Server
	reg              *prometheus.Registry
	http             *http.Server
	ln               net.Listener
	mqtt             string // broker URL
	closed           sync.Once

	demoUsers []scenes.DemoUser // created once the store is open (--demo only)
}

// New builds a service from cfg. Close it if Run is never called.
func New(ctx context.Context, cfg Config) (s *Service, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("chemtwin: config: %w", err)
	}
	cfg = cfg.withDefaults()
	s = &Service{cfg: cfg, log: cfg.Logger, reg: prometheus.NewRegistry()}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	steps := []func(context.Context) error{s.openScene, s.openStore, s.applyEdits, s.openAlarms, s.openHistory, s.openPark, s.openMQTT, s.openHTTP}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	s.wire()
	return s, nil
}

func (s *Service) openScene(context.Context) error {
	fsys, err := scenes.Open(s.cfg.Scene)
	if err != nil {
		return fmt.Errorf("chemtwin: scene: %w", err)
	}
	sc, err := scenes.Load(fsys)
	if err != nil {
		return fmt.Errorf("chemtwin: scene %s: %w", s.cfg.Scene, err)
	}
	s.site, s.sceneInspections = sc.Site, sc.Inspections
	s.scene, err = sc.Twin(twin.Options{Clock: s.cfg.Clock})
	if err != nil {
		return fmt.Errorf("chemtwin: scene %s: %w", s.cfg.Scene, err)
	}
	if s.cfg.Demo {
		s.demoUsers = sc.Users
	}
	return nil
}

func (s *Service) openStore(ctx context.Context) error {
	if err := os.MkdirAll(s.cfg.Data, 0o750); err != nil {
		return fmt.Errorf("chemtwin: data folder: %w", err)
	}
	db, err := openDB(ctx, s.cfg.DB, s.log)
	if err != nil {
		return fmt.Errorf("chemtwin: store: %w", err)
	}
	s.store = db
	s.events = store.NewWriter(db, store.WriterOptions{Logger: s.log, Registerer: s.reg})
	if len(s.demoUsers) == 0 {
		return nil
	}
	users := make([]store.User, len(s.demoUsers))
	for i, u := range s.demoUsers {
		users[i] = store.User{Username: u.Username, Role: u.Role, PersonID: u.PersonID, DisplayName: s.personName(u.PersonID)}
	}
	if err := api.SeedUsers(ctx, db, users, "demo"); err != nil {
		return fmt.Errorf("chemtwin: demo users: %w", err)
	}
	return nil
}

// applyEdits applies the scene edits made over the API (fences drawn on
// the map, deleted, …) over the scene files, oldest first. An edit that no
// longer fits the scene (its parent gone, say) is logged and skipped: the
// plant keeps running on the rest.
func (s *Service) applyEdits(ctx context.Context) error {
	edits, err := s.store.SceneEdits(ctx)
	if err != nil {
		return fmt.Errorf("chemtwin: scene edits: %w", err)
	}
	for _, e := range edits {
		var c twin.Change = twin.Remove{ID: e.ID}
		if !e.Removed {
			ent, probs := scenes.ParseFeature(e.Feature, s.scene.Frame())
			if len(probs) > 0 {
				s.log.Error("stored scene edit skipped", "id", e.ID, "by", e.By, "at", e.At, "err", probs)
				continue
			}
			c = twin.Upsert{Entity: ent}
		}
		if err := s.scene.Apply(c).Err(); err != nil && !errors.Is(err, twin.ErrNotFound) {
			s.log.Error("stored scene edit skipped", "id", e.ID, "by", e.By, "at", e.At, "err", err)
		}
	}
	if len(edits) > 0 {
		s.log.Info("scene edits applied", "edits", len(edits))
	}
	return nil
}

// openDB opens the store dsn names: a postgres:// URL (PostgreSQL with
// PostGIS) or sqlite:PATH.
func openDB(ctx context.Context, dsn string, log *slog.Logger) (store.Store, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		return sqlite.Open(ctx, path, sqlite.Options{Logger: log})
	}
	return postgres.Open(ctx, dsn, postgres.Options{Logger: log})
}

func (s *Service) personName(id string) string {
	if e, ok := s.scene.Get(id); ok {
		return e.Name
	}
	return id
}

func (s *Service) openAlarms(ctx context.Context) (err error) {
	s.video = video.NewLinker(s.scene)
	s.alarms, err = alarm.NewManager(ctx, alarm.Options{Store: s.store, Clock: s.cfg.Clock, Logger: s.log, Registerer: s.reg, Annotate: s.annotate})
	if err != nil {
		return fmt.Errorf("chemtwin: alarms: %w", err)
	}
	dcfg, err := rules.DetectorConfigFromSettings(s.site.Settings)
	if err != nil {
		return fmt.Errorf("chemtwin: site settings: %w", err)
	}
	s.rules, err = rules.New(rules.Options{Scene: s.scene, Alarms: s.alarms, Logger: s.log, Clock: s.cfg.Clock,
		Detector:        dcfg,
		LowBatteryPct:   s.setting("low_battery_pct", 0),
		TagOffline:      time.Duration(s.setting("tag_offline_s", 0) * float64(time.Second)),
		DetectorOffline: time.Duration(s.setting("detector_offline_s", 0) * float64(time.Second)),
	})
	if err != nil {
		return err
	}
	gcfg, err := gather.ConfigFromSettings(s.site.Settings)
	if err != nil {
		return fmt.Errorf("chemtwin: site settings: %w", err)
	}
	s.gather, err = gather.New(gather.Options{Scene: s.scene, Alarms: s.alarms, Config: gcfg, Logger: s.log, Clock: s.cfg.Clock, Notify: s.notify})
	if err != nil {
		return err
	}
	s.fences, err = fence.NewService(fence.ServiceOptions{Scene: s.scene, Alarms: s.alarms, Logger: s.log, Registerer: s.reg, Clock: s.cfg.Clock})
	if err != nil {
		return fmt.Errorf("chemtwin: fences: %w", err)
	}
	cal, err := permit.CalendarFromSettings(s.site.Settings)
	if err != nil {
		return fmt.Errorf("chemtwin: site settings: %w", err)
	}
	s.permits, err = permit.NewService(permit.Options{Store: s.store, Scene: s.scene, Alarms: s.alarms, Logger: s.log,
		Clock: s.cfg.Clock, Location: s.site.Location, Calendar: cal, Wind: s.windNow})
	if err != nil {
		return fmt.Errorf("chemtwin: permits: %w", err)
	}
	s.inspect, err = inspect.NewService(inspect.Options{Store: s.store, Scene: s.scene, Alarms: s.alarms, Logger: s.log,
		Clock: s.cfg.Clock, Location: s.site.Location, Seed: s.inspectionSeed(),
		Workday: func(day time.Time) bool { return cal.Workday(day, s.site.Location) }})
	if err != nil {
		return fmt.Errorf("chemtwin: inspections: %w", err)
	}
	// Live threat zones: gas alarms → source estimate → zones as
	// threat_zone entities (layer and OGC collection threat_zones).
	if s.scene.Frame() == nil {
		s.log.Warn("no plant frame: live threat zones and evacuation planning are off")
		return nil
	}
	// Evacuation (W8): plans routed to safe muster points, the order to
	// every tag and viewer, acknowledgements, the roll call.
	s.evac, err = evac.NewService(evac.Options{Scene: s.scene, Store: s.store, Logger: s.log, Clock: s.cfg.Clock,
		Location: s.site.Location, Publish: func(v any) { s.hub.PublishNotify(v) },
		Notify: func(tag string, v any) error { return s.ingest.PublishNotify(tag, v) }})
	if err != nil {
		return fmt.Errorf("chemtwin: evacuation: %w", err)
	}
	s.threat, err = threat.New(threat.Options{Scene: s.scene, Logger: s.log, Registerer: s.reg,
		Clock: s.cfg.Clock, ActiveAlarms: s.alarms.Active, Alarms: s.alarms,
		Notify: func(n threat.Notice) { s.tell(n.Tag, n) }})
	if err != nil {
		return fmt.Errorf("chemtwin: threat zones: %w", err)
	}
	return nil
}

// maxAlarmCameras is how many cameras an alarm lists.
const maxAlarmCameras = 3

// annotate lists in a located alarm's details the cameras that see its
// place, nearest in-view first (video linkage: the operator opens the
// alarm and gets the stream at once).
func (s *Service) annotate(r *alarm.Raise) {
	if s.video == nil || r.Lon == 0 && r.Lat == 0 {
		return
	}
	cv := s.video.At(orb.Point{r.Lon, r.Lat})
	if len(cv) == 0 {
		return
	}
	// Stored as plain JSON values, as the store gives them back, so that a
	// repeated raise compares equal.
	b, err := json.Marshal(cv[:min(len(cv), maxAlarmCameras)])
	var cams []any
	if err == nil && json.Unmarshal(b, &cams) == nil {
		r.Details["cameras"] = cams
	}
}

// sosNotifyM is how far from an SOS the people told about it are: those
// who can reach the person first.
const sosNotifyM = 50.0

// sosNotice is the message to the people near an SOS.
type sosNotice struct {
	Tag       string    `json:"tag"`
	PersonID  string    `json:"person_id"`
	Kind      string    `json:"kind"` // "sos"
	AlarmID   string    `json:"alarm_id"`
	From      string    `json:"from"` // the person who called for help
	DistanceM float64   `json:"distance_m"`
	Lon       float64   `json:"lon"`
	Lat       float64   `json:"lat"`
	Message   string    `json:"message"`
	MessageEn string    `json:"message_en"`
	At        time.Time `json:"at"`
}

// sosNearby tells the people within sosNotifyM of a new SOS, on their tags
// and the viewers (AQ 3064.3-2025: an SOS reaches the relevant people
// within 5 s). It runs as an alarm observer: under the manager's lock, so
// it only reads the scene and publishes without waiting.
func (s *Service) sosNearby(ev alarm.Event) {
	a := ev.Alarm
	if ev.Action != alarm.ActionRaised || a.Type != alarm.SOS || a.Lon == 0 && a.Lat == 0 {
		return
	}
	var out []sosNotice
	s.scene.View(func(tx twin.Tx) {
		tx.Nearest(orb.Point{a.Lon, a.Lat}, func(e *twin.Entity, d float64) bool {
			if d > sosNotifyM {
				return false
			}
			if e.Kind != twin.KindPerson || e.ID == a.EntityID || e.Mobile == nil || e.Mobile.Tag == "" {
				return true
			}
			out = append(out, sosNotice{
				Tag: e.Mobile.Tag, PersonID: e.ID, Kind: "sos", AlarmID: a.ID, From: a.EntityID, DistanceM: math.Round(d),
				Lon: a.Lon, Lat: a.Lat, At: a.RaisedAt,
				Message:   fmt.Sprintf("%.0f 米外有人一键报警，请前往救援并注意安全", d),
				MessageEn: fmt.Sprintf("SOS %.0f m from you: go to help, mind your own safety", d),
			})
			return true
		})
	})
	for _, n := range out {
		s.tell(n.Tag, n)
	}
}

// onAck hands a tag's acknowledgement to the emergency service (the only
// notices acknowledged so far are evacuation orders).
func (s *Service) onAck(tag string, a ingest.Ack) {
	if s.evac != nil {
		s.evac.Ack(tag, a.Ref, a.At)
	}
}

// notify sends a gathering notice to a person in the field.
func (s *Service) notify(n gather.Notify) { s.tell(n.Tag, n) }

// tell sends a message to a person in the field: to their tag over MQTT
// (chemtwin/{site}/tags/{tag}/notify) and to the viewers on /ws.
func (s *Service) tell(tag string, n any) {
	s.hub.PublishNotify(n)
	if tag == "" {
		return
	}
	if err := s.ingest.PublishNotify(tag, n); err != nil {
		s.log.Warn("notify not published over mqtt", "tag", tag, "err", err)
	}
}

// openHistory builds the recorder of positions and readings and the
// retention job.
func (s *Service) openHistory(context.Context) (err error) {
	s.record, err = history.NewRecorder(history.Options{
		Store: s.store, Logger: s.log, Registerer: s.reg, Clock: s.cfg.Clock, Buffer: s.cfg.HistoryBuffer,
		OnOverflow: s.historyOverflow, OnRecover: s.historyRecovered,
	})
	if err != nil {
		return fmt.Errorf("chemtwin: history: %w", err)
	}
	s.retain, err = history.NewRetention(history.RetentionOptions{
		Store: s.store, Positions: s.cfg.KeepPositions, Readings: s.cfg.KeepReadings, Rollups: s.cfg.KeepRollups,
		Clock: s.cfg.Clock, Logger: s.log, Registerer: s.reg,
	})
	if err != nil {
		return fmt.Errorf("chemtwin: retention: %w", err)
	}
	return nil
}

// openPark builds the park platform upload when a URL is configured.
func (s *Service) openPark(context.Context) (err error) {
	if s.cfg.ParkURL == "" {
		return nil
	}
	s.park, err = park.New(park.Options{
		Endpoint: s.cfg.ParkURL, Token: s.cfg.ParkToken, EnterpriseCode: s.cfg.ParkEnterprise,
		Interval: s.cfg.ParkInterval, CAFile: s.cfg.ParkCA, Scene: s.scene,
		Clock: s.cfg.Clock, Logger: s.log, Registerer: s.reg,
	})
	if err != nil {
		return fmt.Errorf("chemtwin: park upload: %w", err)
	}
	return nil
}

// kindZh names the history kinds in alarm messages.
var kindZh = map[string]string{store.KindPositions: "人员车辆位置", store.KindReadings: "气体探测器读数", store.KindRollups: "气体浓度分钟统计"}

// historyOverflow raises (or updates) a history_overflow alarm per kind:
// the store could not keep up and history rows were lost.
func (s *Service) historyOverflow(kind string, dropped int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	total := s.record.Status().Kinds[kind].Dropped
	_, _, err := s.alarms.Raise(ctx, alarm.Raise{
		Key: string(alarm.HistoryOverflow) + ":" + kind, Type: alarm.HistoryOverflow, Level: alarm.LevelMedium,
		EntityID: s.site.ID, Lon: s.site.Origin[0], Lat: s.site.Origin[1],
		Message:   fmt.Sprintf("历史数据写入缓冲区已满，已丢弃 %d 条%s记录（数据库不可用或写入过慢）", total, kindZh[kind]),
		MessageEn: fmt.Sprintf("History write buffer full: %d %s rows dropped (database unreachable or too slow)", total, kind),
		Details:   map[string]any{"kind": kind, "dropped": total, "dropped_last": dropped},
	})
	if err != nil {
		s.log.Warn("history overflow alarm not stored yet", "kind", kind, "err", err)
	}
}

// historyRecovered clears the history_overflow alarms once the recorder
// keeps up again (they still want a named acknowledgement).
func (s *Service) historyRecovered() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, kind := range []string{store.KindPositions, store.KindReadings, store.KindRollups} {
		if _, _, err := s.alarms.Clear(ctx, string(alarm.HistoryOverflow)+":"+kind, time.Time{}); err != nil {
			s.log.Warn("history overflow alarm cleared but not stored yet", "kind", kind, "err", err)
		}
	}
}

// setting reads a number from the site's settings.
func (s *Service) setting(key string, def float64) float64 {
	if v, ok := twin.AsFloat(s.site.Settings[key]); ok {
		return v
	}
	return def
}

func (s *Service) openMQTT(context.Context) (err error) {
	s.mqtt = s.cfg.MQTT
	if s.cfg.MQTT == "embedded" {
		addr, fallback := s.cfg.MQTTListen, false
		if addr == "" {
			addr, fallback = defaultMQTTListen, true
		}
		s.broker, err = broker.Start(broker.Options{Addr: addr, Logger: s.log, FallbackToFreePort: fallback})
		if err != nil {
			return fmt.Errorf("chemtwin: mqtt broker: %w", err)
		}
		s.mqtt = s.broker.URL()
	}
	// ble_floor_loss_db: the site's BLE loss per floor slab (calibration);
	// the solver and the simulator's channel use the same figure.
	floorLoss := s.setting("ble_floor_loss_db", 0)
	s.ingest, err = ingest.New(ingest.Options{Scene: s.scene, SiteID: s.site.ID, BrokerURL: s.mqtt,
		ClientID: "chemtwin-ingest-" + s.site.ID, Logger: s.log, Registerer: s.reg, Clock: s.cfg.Clock,
		Positioning: locate.Options{FloorLossDB: floorLoss}, OnAck: s.onAck})
	if err != nil {
		return fmt.Errorf("chemtwin: ingest: %w", err)
	}
	if s.cfg.Simulate {
		simLoss := floorLoss
		if simLoss == 0 {
			simLoss = -1 // free space between floors, as the solver assumes
		}
		var releases []sim.Release
		if s.cfg.Scenario != "" {
			rel, err := sim.Scenario(s.cfg.Scenario, s.cfg.ScenarioStart.Seconds())
			if err != nil {
				return fmt.Errorf("chemtwin: %w", err)
			}
			releases = append(releases, rel)
			s.log.Info("scenario", "name", rel.Name, "source", rel.SourceID, "substance", rel.Substance,
				"rate_g_s", rel.RateGS, "starts_in", s.cfg.ScenarioStart)
		}
		s.sim, err = sim.New(s.scene, sim.Options{SiteID: s.site.ID, Seed: s.cfg.SimSeed, Start: s.cfg.Clock(),
			Episodes: true, Location: s.site.Location, Clock: s.cfg.Clock, Logger: s.log, Registerer: s.reg,
			BLEShare: s.cfg.SimBLEShare, FloorLossDB: simLoss, Releases: releases, Notices: true})
		if err != nil {
			return fmt.Errorf("chemtwin: simulator: %w", err)
		}
	}
	return nil
}

func (s *Service) openHTTP(ctx context.Context) (err error) {
	s.tiles, err = tiles.NewServer(ctx, tiles.Options{
		Dir: filepath.Join(s.cfg.Data, "tiles"), Embedded: map[string][]byte{"demo": tiles.Demo()},
		Logger: s.log, Registerer: s.reg,
	})
	if err != nil {
		return fmt.Errorf("chemtwin: tiles: %w", err)
	}
	s.hub = stream.New(stream.Options{Scene: s.scene, Logger: s.log, Registerer: s.reg, ActiveAlarms: s.alarms.Active, Clock: s.cfg.Clock})
	var threats api.Threats // a nil *threat.Service would be a non-nil interface
	if s.threat != nil {
		threats = s.threat
	}
	var evacuation api.Evacuation
	if s.evac != nil {
		evacuation = s.evac
	}
	handler, err := api.New(api.Options{
		Scene: s.scene, Store: s.store, Alarms: s.alarms, Gatherings: s.gather, Video: s.video, Stream: s.hub, Tiles: s.tiles,
		Threats: threats, Permits: s.permits, Inspections: s.inspect, Evacuation: evacuation, EnterpriseCode: s.enterpriseCode(),
		Viewer: cesium.Handler(s.cfg.WebDir), Logger: s.log, Registerer: s.reg,
		// The default registry holds the Go and process collectors and the
		// pmtiles_* metrics go-pmtiles registers there itself.
		Gatherer: prometheus.Gatherers{s.reg, prometheus.DefaultGatherer},
		Clock:    s.cfg.Clock, Health: s.health, Version: Version,
		TagOffline:    time.Duration(s.setting("tag_offline_s", 60) * float64(time.Second)),
		LowBatteryPct: s.setting("low_battery_pct", 20),
	})
	if err != nil {
		return fmt.Errorf("chemtwin: api: %w", err)
	}
	s.ln, err = net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("chemtwin: listen: %w", err)
	}
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return nil
}

// wire connects the observers: every scene result goes to the stream, the
// rules and the event log; every alarm step to the stream and MQTT.
func (s *Service) wire() {
	s.scene.Observe(s.hub.Publish)
	s.scene.Observe(s.rules.Observe)
	s.scene.Observe(s.gather.Observe)
	s.scene.Observe(s.fences.Observe)
	s.scene.Observe(s.inspect.Observe)
	if s.evac != nil {
		s.scene.Observe(s.evac.Observe)
	}
	if s.video != nil {
		s.scene.Observe(s.video.Observe)
	}
	if s.park != nil {
		s.scene.Observe(s.park.ObserveScene)
		s.alarms.Observe(s.park.ObserveAlarm)
	}
	s.scene.Observe(s.record.Observe)
	s.scene.Observe(func(r twin.Result) {
		for _, e := range r.Events {
			s.events.Add(store.Event{Type: string(e.Type), EntityID: e.EntityID, AreaID: e.AreaID, At: e.At, Lon: e.Point[0], Lat: e.Point[1]})
		}
	})
	s.alarms.Observe(s.hub.PublishAlarm)
	s.alarms.Observe(s.gather.ObserveAlarm)
	s.alarms.Observe(s.sosNearby)
	if s.threat != nil {
		s.scene.Observe(s.threat.ObserveScene)
		s.alarms.Observe(s.threat.ObserveAlarm)
	}
	s.alarms.Observe(s.ingest.EnqueueAlarm) // published by ingest's own goroutine
}

// health adds the components' state to /healthz; "degraded" reasons turn
// it into a 503 (the history recorder retrying or backlogged, alarms not
// yet stored — the store being unreachable shows there as well).
func (s *Service) health(context.Context) map[string]any {
	h := map[string]any{"mqtt": map[string]any{"url": s.mqtt, "connected": s.ingest.Connected(), "embedded": s.broker != nil}}
	h["stream_clients"] = s.hub.Clients()
	if n := s.ingest.AlarmBacklog(); n > 0 {
		h["alarms_mqtt_backlog"] = n // alarm events waiting for the broker
	}
	h["simulator"] = s.sim != nil
	st := s.record.Status()
	h["history"] = st
	var degraded []string
	for _, r := range st.Reasons {
		degraded = append(degraded, "history: "+r)
	}
	if n := s.alarms.Dirty(); n > 0 {
		h["alarms_unstored"] = n // a moment's worth while written behind
		if s.alarms.Failing() {
			degraded = append(degraded, fmt.Sprintf("alarms: %d not yet stored; retrying", n))
		}
	}
	if len(degraded) > 0 {
		h["degraded"] = degraded
	}
	return h
}

// URL returns the viewer's URL.
func (s *Service) URL() string { return "http://" + s.ln.Addr().String() + "/" }

// MQTTURL returns the broker URL the service uses.
func (s *Service) MQTTURL() string { return s.mqtt }

// SiteID returns the id of the plant.
func (s *Service) SiteID() string { return s.site.ID }

// Scene returns the twin (for benchmarks and embedding).
func (s *Service) Scene() *twin.Scene { return s.scene }

// Run serves until ctx is done, then stops every component and waits.
func (s *Service) Run(ctx context.Context) error {
	defer s.Close()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.hub.Run(gctx) })
	g.Go(func() error { return s.rules.Run(gctx) })
	g.Go(func() error { return s.gather.Run(gctx) })
	g.Go(func() error { return s.fences.Run(gctx) })
	g.Go(func() error { return s.permits.Run(gctx) })
	g.Go(func() error { return s.inspect.Run(gctx) })
	if s.evac != nil {
		g.Go(func() error { return s.evac.Run(gctx) })
	}
	if s.threat != nil {
		g.Go(func() error { return s.threat.Run(gctx) })
	}
	if s.park != nil {
		g.Go(func() error { return s.park.Run(gctx) })
	}
	g.Go(func() error { return s.events.Run(gctx) })
	g.Go(func() error { return s.record.Run(gctx) })
	g.Go(func() error { return s.retain.Run(gctx) })
	g.Go(func() error { return s.alarms.Run(gctx) })
	g.Go(func() error { return s.ingest.Run(gctx) })
	if s.sim != nil {
		g.Go(func() error { return s.simulate(gctx) })
	}
	g.Go(func() error {
		if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("chemtwin: http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		return s.http.Shutdown(sctx)
	})
	s.log.Info("chemtwin serving", "url", s.URL(), "mqtt", s.mqtt, "site", s.site.ID, "simulate", s.sim != nil)
	return g.Wait()
}

// simulate publishes the simulator's device traffic through its own MQTT
// client, as real gateways would.
func (s *Service) simulate(ctx context.Context) error {
	pub, err := sim.NewMQTTPublisher(s.mqtt, "chemtwin-sim-"+s.site.ID, s.log)
	if err != nil {
		return fmt.Errorf("chemtwin: simulator: %w", err)
	}
	defer pub.Close()
	return s.sim.Run(ctx, pub)
}

// Close releases what New opened. It is safe to call more than once.
func (s *Service) Close() {
	s.closed.Do(func() {
		if s.ln != nil {
			s.ln.Close()
		}
		if s.broker != nil {
			s.broker.Close()
		}
		if s.tiles != nil {
			s.tiles.Close()
		}
		if s.store != nil {
			s.store.Close()
		}
	})
}

// windNow is the strongest wind the site's weather stations last reported
// (m/s at 10 m; the hot-work upgrade at Beaufort 5), NaN when none has.
func (s *Service) windNow() float64 {
	w := math.NaN()
	s.scene.View(func(tx twin.Tx) {
		tx.Kind(twin.KindWeatherStation, func(e *twin.Entity) bool {
			if v, ok := twin.AsFloat(e.State["wind_speed"]); ok && !(v <= w) {
				w = v
			}
			return true
		})
	})
	return w
}

// enterpriseCode is the park's enterprise code when it is a unified social
// credit code (GB 32100-2015), for the permit export; "" otherwise.
func (s *Service) enterpriseCode() string {
	code := strings.TrimSpace(s.cfg.ParkEnterprise)
	if code == "" {
		return ""
	}
	if err := form.ValidEnterpriseCode(code); err != nil {
		s.log.Warn("the park enterprise code is no unified social credit code; the permit export leaves it out", "err", err)
		return ""
	}
	return code
}

// inspectionSeed is the scene's inspection routes and plans
// (inspections.json), stored at start where the store lacks them.
func (s *Service) inspectionSeed() inspect.Seed {
	return inspect.Seed{Routes: s.sceneInspections.Routes, Plans: s.sceneInspections.Plans}
}
