package sim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/chemtwin/chemtwin/geo"
	"github.com/chemtwin/chemtwin/geo/locate"
	"github.com/chemtwin/chemtwin/geo/route"
	"github.com/chemtwin/chemtwin/ingest"
	"github.com/chemtwin/chemtwin/twin"
)

// BLE tags. Most plants position people with BLE tags that report the
// beacons they hear, and the platform solves the position (geo/locate).
// A BLE tag reports every 2 s, like a positioning tag, on
// chemtwin/{site}/tags/{tag}/rssi: the beacons it heard, strongest first,
// at most ingest.MaxBeacons of them, with its battery and SOS button.
//
// The channel is that of chemtwin's AQ 3064.3-2025 Annex A simulations
// (internal/bench), log-distance path loss with log-normal shadowing,
//
//	RSSI = rssi_1m − 10·2.2·log₁₀(d) + N(0, 4²) dB,
//
// with d the 3D distance (at least 0.1 m) from the tag, worn 1.2 m above
// the floor it stands on, to the beacon at its mount height, and each
// beacon's rssi_1m from the scene; a beacon more than 30 m away is not
// heard, nor one whose signal falls below the parser's −120 dBm. Unlike
// those simulations, a signal between floors crosses concrete slabs: an
// indoor beacon on another floor than the tag's loses 15 dB per slab
// crossed (a common BLE planning figure for a reinforced-concrete floor at
// 2.4 GHz, of the order of ITU-R P.1238's floor penetration factors);
// outdoors counts as the ground floor, and outdoor beacons cross no slab.
// Reports are whole dBm, as receivers give them. Shadowing draws are
// clipped at 3σ.
const (
	blePathLossExp = 2.2  // n, as in the Annex A simulations
	bleShadowingDB = 4.0  // σ, as in the Annex A simulations
	bleRangeM      = 30.0 // beyond this a beacon is not heard
	// DefaultFloorLossDB is the loss per floor slab crossed (see above)
	// when Options.FloorLossDB is zero.
	DefaultFloorLossDB = 15.0
	bleMinRangeM       = 0.1 // the model is not meant for the near field
	// DefaultBLEShare is the share of the people with BLE tags when
	// Options.BLEShare is zero.
	DefaultBLEShare = 0.3
)

// beacon is a BLE beacon in plant metres.
type beacon struct {
	id     string
	p      [2]float64
	z      float64 // mount height above the site's ground, metres
	storey int     // storeys above ground of an indoor beacon's floor
	indoor bool
	rssi1m float64 // dBm at 1 m
}

// beacons is the scene's beacons in a grid of bleRangeM cells.
type beacons struct {
	list   []beacon
	grid   map[[2]int64][]int32
	slabDB float64 // loss per floor slab crossed (Options.FloorLossDB)
}

// newBeacons reads the scene's beacons as geo/locate's map does: `floor`
// (0 or absent: outdoors), mount height `height` above ground (default
// the floor's base plus locate.DefaultBeaconMountM, with the storey height
// of the parent building), `rssi_1m` (default locate.DefaultRSSI1m).
// Beacons without a point, or with an id no message can carry, are left
// out. It returns nil for a scene without beacons.
func newBeacons(c sceneCopy, f *geo.Frame, slabDB float64) *beacons {
	storeyH := map[string]float64{}
	for _, b := range c.byKind[twin.KindBuilding] {
		if h := b.Float("floor_height_m", 0); h > 0 && h < 100 {
			storeyH[b.ID] = h
		}
	}
	bs := &beacons{grid: make(map[[2]int64][]int32), slabDB: slabDB}
	for _, e := range c.byKind[twin.KindBeacon] {
		if e.Geometry == nil || e.ID == "" || len(e.ID) > ingest.MaxIDLen || !utf8.ValidString(e.ID) {
			continue
		}
		floor := e.Float("floor", 0)
		r1 := e.Float("rssi_1m", locate.DefaultRSSI1m)
		if floor != math.Round(floor) || math.Abs(floor) > locate.MaxFloor || !(r1 >= -120 && r1 <= 20) {
			continue
		}
		b := beacon{id: e.ID, p: plantPoint(f, e.Point()), rssi1m: r1, indoor: floor != 0, storey: route.Storey(int(floor))}
		b.z = e.Height
		if b.z == 0 {
			h := storeyH[e.Parent]
			if h == 0 {
				h = route.DefaultFloorHeightM
			}
			b.z = float64(b.storey)*h + locate.DefaultBeaconMountM
		}
		c := bs.cell(b.p)
		bs.grid[c] = append(bs.grid[c], int32(len(bs.list)))
		bs.list = append(bs.list, b)
	}
	if len(bs.list) == 0 {
		return nil
	}
	return bs
}

func (bs *beacons) cell(p [2]float64) [2]int64 {
	return [2]int64{int64(math.Floor(p[0] / bleRangeM)), int64(math.Floor(p[1] / bleRangeM))}
}

// heard is one beacon in a report.
type heard struct {
	id   string
	rssi float64 // dBm, whole
}

// hear returns the beacons a tag at p, z metres above ground (its floor
// plus the tag height) on storey storey, hears, strongest first (ties by
// id), at most ingest.MaxBeacons; out is reused.
func (bs *beacons) hear(r *rand.Rand, p [2]float64, z float64, storey int, out []heard) []heard {
	out = out[:0]
	c := bs.cell(p)
	for dy := int64(-1); dy <= 1; dy++ {
		for dx := int64(-1); dx <= 1; dx++ {
			for _, i := range bs.grid[[2]int64{c[0] + dx, c[1] + dy}] {
				b := &bs.list[i]
				d := math.Sqrt((b.p[0]-p[0])*(b.p[0]-p[0]) + (b.p[1]-p[1])*(b.p[1]-p[1]) + (b.z-z)*(b.z-z))
				if d > bleRangeM {
					continue
				}
				rssi := b.rssi1m - 10*blePathLossExp*math.Log10(math.Max(d, bleMinRangeM)) + normal(r, bleShadowingDB)
				if b.indoor {
					rssi -= bs.slabDB * math.Abs(float64(b.storey-storey))
				}
				rssi = math.Min(math.Round(rssi), ingest.MaxRSSI)
				if rssi >= ingest.MinRSSI {
					out = append(out, heard{b.id, rssi})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b heard) int {
		if c := cmp.Compare(b.rssi, a.rssi); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return out[:min(len(out), ingest.MaxBeacons)]
}

// rssiPayload writes the DESIGN.md rssi message.
func rssiPayload(hs []heard, battery float64, sos bool, ms int64) []byte {
	o := newObj(64 + 32*len(hs))
	o.key("beacons")
	o.b = append(o.b, '[')
	for i, h := range hs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(append(o.b, `{"id":`...), h.id)
		o.b = append(strconv.AppendInt(append(o.b, `,"rssi":`...), int64(h.rssi), 10), '}')
	}
	o.b = append(o.b, ']')
	o.num("battery", battery, 0)
	o.bool("sos", sos)
	o.int("ts", ms)
	return o.done()
}

// tagHeightM is how high above the floor a worn tag is (chest or helmet of
// a standing person; AQ 3064.3-2025 test practice, as geo/locate assumes).
const tagHeightM = locate.DefaultTagHeightM

// chooseBLE gives round(share × people) of the people, drawn with the
// seed, BLE tags, and returns how many; none when the scene has no
// beacons.
func chooseBLE(m *model, people []*person, share float64) int {
	if m.beacons == nil || share <= 0 {
		return 0
	}
	k := int(math.Round(share * float64(len(people))))
	for _, i := range newRand(m.seed, "ble").Perm(len(people))[:k] {
		p := people[i]
		p.ble = true
		p.tag.topic = m.site + "tags/" + p.tag.id + "/rssi"
	}
	return k
}
