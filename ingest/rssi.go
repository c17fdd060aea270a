package ingest

import (
	"fmt"
	"math"
	"time"
)

// Ranges of the RSSI payload.
const (
	MinRSSI         = -120.0 // dBm: below any BLE receiver's sensitivity
	MaxRSSI         = 0.0    // dBm
	MaxBeacons      = 64     // entries per message
	maxGatewayBytes = 128
)

// RSSI is a parsed set of beacon signal strengths heard by one tag (or heard
// from one tag by a gateway).
type RSSI struct {
	Beacons []BeaconRSSI // 1–64, one per beacon id (the strongest of repeats)
	Gateway string       // optional gateway id
	Battery float64      // percent 0–100; NaN when absent
	SOS     *bool        // nil when absent
	At      time.Time
}

// BeaconRSSI is one beacon's received signal strength.
type BeaconRSSI struct {
	ID   string
	RSSI float64 // dBm, −120…0
}

// ParseRSSI parses the payload of chemtwin/{site}/tags/{tag}/rssi:
// `beacons` [{"id","rssi"}] (1–64 entries, rssi dBm in [−120, 0]), optional
// `gateway`, `battery`, `sos`, `ts`.
func ParseRSSI(payload []byte, env Env) (RSSI, error) {
	env = env.withDefaults()
	o, err := decode(payload, env)
	if err != nil {
		return RSSI{}, err
	}
	var m RSSI
	if m.Beacons, err = o.beacons(); err != nil {
		return RSSI{}, err
	}
	gw, _, errG := o.str("gateway", maxGatewayBytes)
	battery, errB := o.battery()
	sos, errS := o.sos()
	if err := firstErr(errG, errB, errS); err != nil {
		return RSSI{}, err
	}
	if m.At, err = o.ts(env); err != nil {
		return RSSI{}, err
	}
	m.Gateway, m.Battery, m.SOS = gw, battery, sos
	return m, nil
}

func (o object) beacons() ([]BeaconRSSI, error) {
	r := o.raw("beacons")
	if r == nil {
		return nil, fmt.Errorf("%w: beacons: missing", ErrBadField)
	}
	items, ok := splitArray(r)
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: beacons: not an array", ErrBadField)
	case len(items) == 0 || len(items) > MaxBeacons:
		return nil, fmt.Errorf("%w: beacons: %d entries, want 1–%d", ErrBadField, len(items), MaxBeacons)
	}
	out := make([]BeaconRSSI, 0, len(items))
	seen := make(map[string]int, len(items))
	for i, item := range items {
		b, ok := splitObject(item)
		if !ok {
			return nil, fmt.Errorf("%w: beacons[%d]: not an object", ErrBadField, i)
		}
		id, ok, err := b.str("id", MaxIDLen)
		if err == nil && (!ok || id == "") {
			err = fmt.Errorf("%w: id: missing", ErrBadField)
		}
		rssi, errR := b.required("rssi", MinRSSI, MaxRSSI)
		if err := firstErr(err, errR); err != nil {
			return nil, fmt.Errorf("%w (beacons[%d])", err, i)
		}
		if j, dup := seen[id]; dup {
			out[j].RSSI = math.Max(out[j].RSSI, rssi)
			continue
		}
		seen[id] = len(out)
		out = append(out, BeaconRSSI{id, rssi})
	}
	return out, nil
}
