package locate

import (
	"math"

	"github.com/chemtwin/chemtwin/geo/route"
)

// Defaults of the measurement model. The path-loss exponent and the
// shadowing are site calibration: open plant air is close to 2, steel
// structures and walls push n up; BLE shadowing is typically 3–6 dB.
const (
	DefaultPathLossExp = 2.2
	DefaultShadowingDB = 4.0
	DefaultRSSI1m      = -59.0 // dBm at 1 m: the usual iBeacon calibration
	// DefaultTagHeightM is a worn tag's height above the floor it stands on
	// (chest or helmet of a standing person, AQ 3064.3 test practice).
	DefaultTagHeightM = 1.2
	// DefaultBeaconMountM is the mount height above its floor of a beacon
	// whose scene feature gives no height.
	DefaultBeaconMountM = 2.5
	minRangeM           = 0.1 // the model is not meant for the near field
)

// PathLoss is the log-distance path-loss model,
// RSSI = RSSI₁ₘ − 10·n·log₁₀(d). Its zero value is not usable; see
// NewPathLoss.
type PathLoss struct {
	N           float64 // path-loss exponent
	ShadowingDB float64 // standard deviation of RSSI about the model, dB
	FloorLossDB float64 // per floor slab between a tag and an indoor beacon (Options.FloorLossDB)
	c           float64 // 10·n/ln 10: dB per neper of distance
}

// NewPathLoss returns the model with exponent n and shadowing σ (dB).
func NewPathLoss(n, shadowingDB float64) PathLoss {
	return PathLoss{N: n, ShadowingDB: shadowingDB, c: 10 * n / math.Ln10}
}

// RSSI returns the expected RSSI (dBm) at distance d metres from a beacon
// whose RSSI at 1 m is rssi1m.
func (m PathLoss) RSSI(rssi1m, d float64) float64 {
	return rssi1m - m.c*math.Log(math.Max(d, minRangeM))
}

// RangeM inverts the model: the distance (metres) at which rssi1m decays to
// rssi. It is the median distance for a measured RSSI (the mean is larger by
// exp(σ_ln²/2) since the error is log-normal).
func (m PathLoss) RangeM(rssi1m, rssi float64) float64 {
	return math.Exp((rssi1m - rssi) / m.c)
}

// RangeSigmaM returns the standard deviation of a range at distance d
// metres to first order: σ_d = d·ln10·σ/(10·n). With n = 2.2 and σ = 4 dB
// a range is known to ±42 %.
func (m PathLoss) RangeSigmaM(d float64) float64 {
	return d * m.ShadowingDB / m.c
}

// slabLoss returns the attenuation between a tag at height zt above the
// site's ground and beacon o: FloorLossDB per slab between the tag's storey
// and an indoor beacon's floor (a tag outdoors stands on the ground floor).
func (m PathLoss) slabLoss(o *heard, zt, tagHeightM float64) float64 {
	if m.FloorLossDB == 0 || o.bld < 0 || o.fh <= 0 || o.floor == 0 {
		return 0
	}
	tag := math.Round((zt - tagHeightM) / o.fh) // storeys above ground
	return m.FloorLossDB * math.Abs(float64(route.Storey(o.floor))-tag)
}
