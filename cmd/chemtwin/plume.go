package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/chemtwin/chemtwin/geo/plume"
	"github.com/chemtwin/chemtwin/twin/substance"
)

const plumeUsage = `usage:
  chemtwin plume point --rate-g-s Q --wind-m-s U --stability S --height-m H --x-m X [--y-m Y] [--z-m Z] [--sigma briggs_rural|briggs_urban|isc3] [--profile]
      concentration of a continuous release (Gaussian plume with ground reflection)
  chemtwin plume puff --mass-g M --wind-m-s U --stability S --x-m X --t-s T [--y-m Y] [--z-m Z] [--height-m H] [--profile]
      concentration of an instantaneous release (Gaussian puff, CCPS σ)
  chemtwin plume zones --rate-g-s Q --wind-m-s U --stability S --substance NAME [--loc-ppm A,B,C] [--profile]
      threat-zone distances of a continuous ground release (Briggs rural σ), at the
      substance's levels of concern 3/2/1 (AEGL → ERPG → PAC → IDLH) or the given ones
The wind is used as given unless --profile: then the 10 m wind is carried to the
release height by the power law (rural exponents), a ground release at 3 m as ALOHA
does. Output is one JSON object.
`

// plumeCmd runs `chemtwin plume point|puff|zones`.
func plumeCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		var run func([]string, io.Writer) (any, error)
		switch args[0] {
		case "point":
			run = plumePoint
		case "puff":
			run = plumePuff
		case "zones":
			run = plumeZones
		case "-h", "--help", "help":
			fmt.Fprint(stdout, plumeUsage)
			return 0
		}
		if run != nil {
			out, err := run(args[1:], stderr)
			switch {
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				fmt.Fprintf(stderr, "chemtwin plume %s: %v\n\n%s", args[0], err, plumeUsage)
				return 2
			case err != nil:
				fmt.Fprintf(stderr, "chemtwin plume %s: %v\n", args[0], err)
				return 1
			}
			if err := json.NewEncoder(stdout).Encode(out); err != nil {
				fmt.Fprintln(stderr, err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprint(stderr, plumeUsage)
	return 2
}

// errUsage marks a command line that cannot be run (a flag missing or
// malformed); the model's own refusals are plain errors.
var errUsage = errors.New("usage")

// sample is the output of point and puff.
type sample struct {
	ConcentrationGM3 float64 `json:"concentration_g_m3"`
	SigmaYM          float64 `json:"sigma_y_m"`
	SigmaZM          float64 `json:"sigma_z_m"`
}

// groundWindM is the height whose wind carries a ground-level cloud with
// --profile: ALOHA uses the 3 m wind (REFERENCE §8).
const groundWindM = 3.0

// plumeFlags are the flags the commands share.
type plumeFlags struct {
	fs        *flag.FlagSet
	wind      float64
	stability string
	height    float64
	x, y, z   float64
	profile   bool
	required  []string
}

func newPlumeFlags(name string, stderr io.Writer) *plumeFlags {
	p := &plumeFlags{fs: flag.NewFlagSet("chemtwin plume "+name, flag.ContinueOnError)}
	p.fs.SetOutput(stderr)
	p.fs.Float64Var(&p.wind, "wind-m-s", math.NaN(), "wind speed, m/s (at 10 m with --profile)")
	p.fs.StringVar(&p.stability, "stability", "", "Pasquill stability class A–F")
	p.fs.BoolVar(&p.profile, "profile", false, "carry the 10 m wind to the release height (power law, rural)")
	p.required = []string{"wind-m-s", "stability"}
	return p
}

// receptor adds --x-m, --y-m, --z-m and --height-m.
func (p *plumeFlags) receptor() {
	p.fs.Float64Var(&p.x, "x-m", math.NaN(), "downwind distance, m")
	p.fs.Float64Var(&p.y, "y-m", 0, "crosswind distance, m")
	p.fs.Float64Var(&p.z, "z-m", 0, "receptor height, m")
	p.fs.Float64Var(&p.height, "height-m", 0, "release height, m")
	p.required = append(p.required, "x-m")
}

// parse parses args and checks that the required flags are set.
func (p *plumeFlags) parse(args []string) (plume.Stability, float64, error) {
	if err := p.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, 0, err
		}
		return 0, 0, fmt.Errorf("%w: %v", errUsage, err)
	}
	if p.fs.NArg() > 0 {
		return 0, 0, fmt.Errorf("%w: unexpected argument %q", errUsage, p.fs.Arg(0))
	}
	set := map[string]bool{}
	p.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range p.required {
		if !set[name] {
			return 0, 0, fmt.Errorf("%w: --%s is required", errUsage, name)
		}
	}
	s, err := plume.ParseStability(p.stability)
	if err != nil {
		return 0, 0, err
	}
	u := p.wind
	if p.profile {
		if u, err = plume.WindAt(p.wind, 10, max(p.height, groundWindM), s, plume.Rural); err != nil {
			return 0, 0, err
		}
	}
	return s, u, nil
}

func plumePoint(args []string, stderr io.Writer) (any, error) {
	p := newPlumeFlags("point", stderr)
	p.receptor()
	rate := p.fs.Float64("rate-g-s", math.NaN(), "release rate, g/s")
	sigma := p.fs.String("sigma", string(plume.BriggsRural), "σ set: briggs_rural, briggs_urban or isc3")
	p.required = append(p.required, "rate-g-s", "height-m")
	s, u, err := p.parse(args)
	if err != nil {
		return nil, err
	}
	set, err := plume.ParseSigmaSet(*sigma)
	if err != nil {
		return nil, err
	}
	if set == plume.CCPSPuff {
		return nil, fmt.Errorf("%w: --sigma %s is for puffs", errUsage, set)
	}
	r, err := plume.Plume{RateGS: *rate, WindMS: u, HeightM: p.height, Stability: s, Sigma: set}.Concentration(p.x, p.y, p.z)
	if err != nil {
		return nil, err
	}
	return sample{r.ConcentrationGM3, r.SigmaYM, r.SigmaZM}, nil
}

func plumePuff(args []string, stderr io.Writer) (any, error) {
	p := newPlumeFlags("puff", stderr)
	p.receptor()
	mass := p.fs.Float64("mass-g", math.NaN(), "released mass, g")
	t := p.fs.Float64("t-s", math.NaN(), "time since the release, s")
	p.required = append(p.required, "mass-g", "t-s")
	s, u, err := p.parse(args)
	if err != nil {
		return nil, err
	}
	r, err := plume.Puff{MassG: *mass, WindMS: u, HeightM: p.height, Stability: s}.Concentration(p.x, p.y, p.z, *t)
	if err != nil {
		return nil, err
	}
	return sample{r.ConcentrationGM3, r.SigmaYM, r.SigmaZM}, nil
}

// zone is one threat zone of `plume zones`: level 3 red, 2 orange, 1 yellow.
type zone struct {
	Level int     `json:"level"`
	PPM   float64 `json:"ppm"`
	// Guideline the level of concern comes from (AEGL-3, ERPG-2, IDLH, …;
	// "given" for --loc-ppm).
	Guideline string `json:"guideline"`
	// DistanceM is how far downwind the zone reaches, m; 0 when the level is
	// not reached at all.
	DistanceM float64 `json:"distance_m"`
	// Warning says why a distance is not to be drawn as is: "< 10 m" or
	// "> 10 km" (ALOHA's limits, REFERENCE §8).
	Warning string `json:"warning,omitempty"`
}

// zonesOut is the output of `plume zones`.
type zonesOut struct {
	Substance string   `json:"substance"`
	Zones     []zone   `json:"zones"`
	Warnings  []string `json:"warnings,omitempty"`
}

func plumeZones(args []string, stderr io.Writer) (any, error) {
	p := newPlumeFlags("zones", stderr)
	rate := p.fs.Float64("rate-g-s", math.NaN(), "release rate, g/s")
	name := p.fs.String("substance", "", "substance (library id, name, formula or CAS), e.g. ammonia, NH3, 氨")
	locs := p.fs.String("loc-ppm", "", "levels of concern 3,2,1 in ppm (default: the substance's)")
	p.required = append(p.required, "rate-g-s", "substance")
	s, u, err := p.parse(args)
	if err != nil {
		return nil, err
	}
	lib, err := substance.Load()
	if err != nil {
		return nil, err
	}
	sub, err := lib.Get(*name)
	if err != nil {
		return nil, err
	}
	levels, err := zoneLevels(sub, *locs)
	if err != nil {
		return nil, err
	}
	src := plume.Plume{RateGS: *rate, WindMS: u, Stability: s, Sigma: plume.BriggsRural}
	out := zonesOut{Substance: sub.ID, Warnings: zoneWarnings(sub, u, s)}
	for _, l := range levels {
		// ppm → g/m³ at 25 °C, the temperature of the AEGL and IDLH values.
		z, err := src.Zone(substance.PPMToGM3(l.PPM, sub.MolarMass(), substance.MolarVolume25C))
		if err != nil {
			return nil, err
		}
		if z.Reached {
			l.DistanceM = z.FarM
		}
		switch {
		case z.TooLong:
			l.Warning = "> 10 km"
		case z.Reached && z.TooShort:
			l.Warning = "< 10 m"
		}
		out.Zones = append(out.Zones, l)
	}
	return out, nil
}

// zoneLevels returns the three levels of concern, from --loc-ppm ("A,B,C":
// levels 3, 2, 1) or the substance's hierarchy.
func zoneLevels(sub *substance.Substance, given string) ([]zone, error) {
	if given != "" {
		parts := strings.Split(given, ",")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%w: --loc-ppm wants three values (levels 3,2,1), got %q", errUsage, given)
		}
		var zs []zone
		for i, s := range parts {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || !(v > 0) || math.IsInf(v, 1) {
				return nil, fmt.Errorf("%w: --loc-ppm %q: want positive numbers", errUsage, given)
			}
			zs = append(zs, zone{Level: 3 - i, PPM: v, Guideline: "given"})
		}
		return zs, nil
	}
	var zs []zone
	for _, l := range substance.LOC(sub).Toxic {
		zs = append(zs, zone{Level: l.Level, PPM: l.PPM, Guideline: l.Guideline})
	}
	if len(zs) == 0 {
		// Flammable zones (60 %/10 % LEL) need ALOHA's 10 s averaging (σy ×
		// 0.561), which these models do not do yet.
		return nil, fmt.Errorf("substance %s has no toxic levels of concern: give --loc-ppm", sub.ID)
	}
	return zs, nil
}

// zoneWarnings are ALOHA's cautions for the model run (REFERENCE §8).
func zoneWarnings(sub *substance.Substance, windMS float64, s plume.Stability) []string {
	var w []string
	if windMS < 1 {
		w = append(w, "wind below 1 m/s: the Gaussian model does not hold; zones are unreliable")
	}
	if s == plume.E || s == plume.F {
		w = append(w, "stable air (class E/F): zones are less reliable")
	}
	if sub.DenseGas {
		w = append(w, "dense gas: the Gaussian model assumes a neutrally buoyant cloud; a heavier-than-air cloud slumps and spreads near the ground")
	}
	return w
}
