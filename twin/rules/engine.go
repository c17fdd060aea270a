package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
	"github.com/chemtwin/chemtwin/twin/substance"
)

// Options configure an Engine. Zero values are the defaults.
type Options struct {
	Scene  *twin.Scene    // required
	Alarms *alarm.Manager // required
	Logger *slog.Logger
	Clock  func() time.Time
	// LowBatteryPct raises low_battery below this charge; default 20
	// (the seed's "电量低于20%"). It clears 5 points above.
	LowBatteryPct float64
	// VideoHold clears a video_event alarm after this long without a
	// repeat of the event; default 60 s.
	VideoHold time.Duration
	// TagOffline raises tag_offline for a tag silent this long; default
	// DefaultTagOffline (60 s). DetectorOffline likewise raises
	// detector_offline; default DefaultDetectorOffline.
	TagOffline, DetectorOffline time.Duration
	// Queue is how many results may wait; default 1024. A full queue makes
	// Observe wait (backpressure), it never drops.
	Queue int
	// Detector tunes the gas detector state machine (delays, stuck and
	// drift checks); the zero value is the default.
	Detector DetectorConfig
	// Substances derives setpoints for detectors without alarm1/alarm2;
	// default the embedded library (substance.Load).
	Substances *substance.Library
}

// Engine evaluates the rules on every Scene result in its own goroutine.
// Observe is safe for concurrent use; Run must be called once.
type Engine struct {
	opts Options
	log  *slog.Logger
	in   chan twin.Result

	det   map[string]*Detector // by detector id
	video map[string]time.Time // open video alarm key → last event time
}

// New returns an engine; register Observe with Scene.Observe and start Run.
func New(opts Options) (*Engine, error) {
	if opts.Scene == nil || opts.Alarms == nil {
		return nil, errors.New("rules: engine needs a scene and an alarm manager")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.LowBatteryPct == 0 {
		opts.LowBatteryPct = 20
	}
	if opts.VideoHold == 0 {
		opts.VideoHold = time.Minute
	}
	if err := opts.Detector.Validate(); err != nil {
		return nil, err
	}
	if opts.Substances == nil {
		lib, err := substance.Load()
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		opts.Substances = lib
	}
	if opts.Queue == 0 {
		opts.Queue = 1024
	}
	if opts.TagOffline <= 0 {
		opts.TagOffline = DefaultTagOffline
	}
	if opts.DetectorOffline <= 0 {
		opts.DetectorOffline = DefaultDetectorOffline
	}
	return &Engine{
		opts:  opts,
		log:   opts.Logger.With("component", "rules"),
		in:    make(chan twin.Result, opts.Queue),
		det:   make(map[string]*Detector),
		video: make(map[string]time.Time),
	}, nil
}

// Observe queues a result for evaluation. Results without upserts are
// skipped here, so pure position batches cost nothing.
func (e *Engine) Observe(r twin.Result) {
	for _, d := range r.Deltas {
		if d.Op == twin.OpUpsert {
			e.in <- r
			return
		}
	}
}

// Run evaluates queued results until ctx is done.
func (e *Engine) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	scan := time.NewTicker(offlineScan)
	defer scan.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-e.in:
			e.evaluate(ctx, r)
		case <-tick.C:
			e.expireVideo(ctx, e.opts.Clock())
		case <-scan.C:
			e.ScanOffline(ctx, e.opts.Clock())
		}
	}
}

func (e *Engine) evaluate(ctx context.Context, r twin.Result) {
	for _, d := range r.Deltas {
		if d.Op != twin.OpUpsert {
			continue
		}
		var err error
		switch d.Kind {
		case twin.KindPerson, twin.KindVehicle:
			err = e.mobile(ctx, d.Entity)
		case twin.KindGasDetector:
			err = e.detector(ctx, d.Entity)
		case twin.KindCamera:
			err = e.camera(ctx, d.Entity)
		}
		if err != nil {
			e.log.Error("rule failed", "entity", d.ID, "err", err)
		}
	}
}

// toggle raises r when on, else clears its key.
func (e *Engine) toggle(ctx context.Context, on bool, r alarm.Raise) error {
	if on {
		_, _, err := e.opts.Alarms.Raise(ctx, r)
		return err
	}
	if r.Key == "" {
		r.Key = string(r.Type) + ":" + r.EntityID
	}
	if !e.opts.Alarms.IsOpen(r.Key) {
		return nil
	}
	_, _, err := e.opts.Alarms.Clear(ctx, r.Key, r.At)
	return err
}

// mobile runs the SOS and low-battery rules for a person or vehicle.
func (e *Engine) mobile(ctx context.Context, ent *twin.Entity) error {
	m := ent.Mobile
	if m == nil || m.Fix.At.IsZero() {
		return nil
	}
	who := e.describe(ent)
	base := alarm.Raise{EntityID: ent.ID, AreaID: m.AreaID, Lon: m.Fix.Point[0], Lat: m.Fix.Point[1], At: m.Fix.At,
		Details: map[string]any{"tag": m.Tag, "floor": m.Fix.Floor}}
	sos := base
	sos.Type, sos.Level = alarm.SOS, alarm.LevelHigh
	// AQ 3064.3-2025: SOS (一键报警) is pushed to the relevant people within 5 s.
	sos.Message, sos.MessageEn = who.zh+" 一键报警 (SOS)", "SOS from "+who.en
	err := e.toggle(ctx, m.SOS, sos)
	if math.IsNaN(m.Battery) {
		return err
	}
	bat := base
	bat.Type, bat.Level = alarm.LowBattery, alarm.LevelLow
	bat.Details = map[string]any{"tag": m.Tag, "battery": m.Battery}
	bat.Message = fmt.Sprintf("%s 定位卡电量低 (%.0f%%)", who.zh, m.Battery)
	bat.MessageEn = fmt.Sprintf("Low tag battery for %s (%.0f%%)", who.en, m.Battery)
	key := string(alarm.LowBattery) + ":" + ent.ID
	low := m.Battery < e.opts.LowBatteryPct ||
		(e.opts.Alarms.IsOpen(key) && m.Battery < e.opts.LowBatteryPct+5)
	return errors.Join(err, e.toggle(ctx, low, bat))
}

type names struct{ zh, en string }

// describe names an entity and its area for alarm messages.
func (e *Engine) describe(ent *twin.Entity) names {
	n := names{zh: ent.Name, en: ent.ID}
	if n.zh == "" {
		n.zh = ent.ID
	}
	if en := ent.String("name_en"); en != "" {
		n.en = en
	}
	areaID := ""
	if ent.Mobile != nil {
		areaID = ent.Mobile.AreaID
	}
	e.opts.Scene.View(func(tx twin.Tx) {
		area := tx.Get(areaID)
		if area == nil {
			area = tx.Ancestor(ent.ID, twin.KindArea)
		}
		if area != nil {
			n.zh = area.Name + " " + n.zh
			en := area.String("name_en")
			if en == "" {
				en = area.ID
			}
			n.en += " (" + en + ")"
		}
	})
	return n
}
