package tiles

import "image/color"

// The site plan's colours: a calm GIS palette in the manner of
// OpenStreetMap's standard style (warm greys for land and structures, a
// pale tint per area type), so that the viewer's live layers (people,
// detectors, alarms, risk colours) stand out on top of it.
var (
	colOutside     = rgb(0xf2f0eb) // land outside the site
	colSite        = rgb(0xe8e5de) // inside the site boundary
	colSiteLine    = rgb(0x6b6660)
	colAreaLine    = rgb(0xb3ab9f)
	colWalkway     = rgb(0xd8d2c4)
	colRoad        = rgb(0xcfcbc3)
	colRoadCasing  = rgb(0xa9a49b)
	colUnit        = rgb(0xd3c4ae)
	colUnitLine    = rgb(0x8c7c69)
	colBuilding    = rgb(0xc2b8ab)
	colBuildLine   = rgb(0x7f7468)
	colGate        = rgb(0xa7b0ba)
	colGateLine    = rgb(0x68717c)
	colTank        = rgb(0xc9ced6)
	colTankLine    = rgb(0x6f7986)
	colMuster      = rgb(0xa3d9a0)
	colMusterLine  = rgb(0x3b8a38)
	colForbidden   = rgb(0xd64541)
	colText        = rgb(0x36332f)
	colHalo        = rgb(0xfcfbf8)
	colAreaDefault = rgb(0xe4e1d8)
)

// areaColours fill areas by their area_type (docs/scene-format.md).
var areaColours = map[string]color.RGBA{
	"production": rgb(0xf0e0c4),
	"storage":    rgb(0xecd6d2),
	"utility":    rgb(0xd8e4ec),
	"office":     rgb(0xe3deec),
	"workshop":   rgb(0xebe2cc),
	"wastewater": rgb(0xd0e6e0),
	"packaging":  rgb(0xe7dfcc),
	"logistics":  rgb(0xe2e1d8),
	"control":    rgb(0xdbe2ee),
	"gate":       rgb(0xe0ded8),
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// Widths and zooms of the plan's elements. Roads and walkways are drawn at
// their width_m (with these defaults when absent); outlines in pixels.
const (
	defaultRoadWidthM    = 6
	defaultWalkwayWidthM = 1.5
	defaultTankRadiusM   = 5
	defaultMusterRadiusM = 10
	outlinePx            = 1
	siteLinePx           = 2
	fenceLinePx          = 1.5
	fenceDashPx          = 6
	fenceGapPx           = 4
	walkwayMinZoom       = 16
	areaLabelZoom        = 16 // area names from this zoom
	buildingLabelZoom    = 17 // building names from this zoom
	unitLabelZoom        = 18 // process unit names from this zoom
)
