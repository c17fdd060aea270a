package plume

import "math"

// ISC3 Pasquill–Gifford curve fits, EPA-454/B-95-003b (ISC3 User's Guide
// Vol. II, 1995) Table 1-1 (σy) and Table 1-2 (σz), x in km:
//
//	σy = 465.11628·x·tan(0.017453293·(c − d·ln x))
//	σz = a·x^b on the distance range that contains x, capped at 5000 m.
//
// The class D values also appear in REFERENCE §8. Ranges are closed on the
// right (x ≤ upper limit), as in the ISC3 code.
const (
	isc3SigmaYScale = 465.11628   // m/km, 1000/2.15: σy is half the 2.15σy sector width
	isc3DegToRad    = 0.017453293 // as printed in ISC3
	isc3MaxSigmaZM  = 5000        // Table 1-2 footnote: σz is limited to 5000 m
)

// Table 1-1: c and d by class.
var (
	isc3C = [7]float64{A: 24.1670, B: 18.3330, C: 12.5000, D: 8.3330, E: 6.2500, F: 4.1667}
	isc3D = [7]float64{A: 2.5334, B: 1.8096, C: 1.0857, D: 0.72382, E: 0.54287, F: 0.36191}
)

// isc3Range is one row of Table 1-2: a and b for x ≤ maxKM.
type isc3Range struct{ maxKM, a, b float64 }

// Table 1-2 by class; the last row of each class runs to infinity.
var isc3Z = [7][]isc3Range{
	A: {{0.10, 122.800, 0.94470}, {0.15, 158.080, 1.05420}, {0.20, 170.220, 1.09320},
		{0.25, 179.520, 1.12620}, {0.30, 217.410, 1.26440}, {0.40, 258.890, 1.40940},
		{0.50, 346.750, 1.72830}, {math.Inf(1), 453.850, 2.11660}},
	B: {{0.20, 90.673, 0.93198}, {0.40, 98.483, 0.98332}, {math.Inf(1), 109.300, 1.09710}},
	C: {{math.Inf(1), 61.141, 0.91465}},
	D: {{0.30, 34.459, 0.86974}, {1.00, 32.093, 0.81066}, {3.00, 32.093, 0.64403},
		{10.00, 33.504, 0.60486}, {30.00, 36.650, 0.56589}, {math.Inf(1), 44.053, 0.51179}},
	E: {{0.10, 24.260, 0.83660}, {0.30, 23.331, 0.81956}, {1.00, 21.628, 0.75660},
		{2.00, 21.628, 0.63077}, {4.00, 22.534, 0.57154}, {10.00, 24.703, 0.50527},
		{20.00, 26.970, 0.46713}, {40.00, 35.420, 0.37615}, {math.Inf(1), 47.618, 0.29592}},
	F: {{0.20, 15.209, 0.81558}, {0.70, 14.457, 0.78407}, {1.00, 13.953, 0.68465},
		{2.00, 13.953, 0.63227}, {3.00, 14.823, 0.54503}, {7.00, 16.187, 0.46490},
		{15.00, 17.836, 0.41507}, {30.00, 22.651, 0.32681}, {60.00, 27.074, 0.27436},
		{math.Inf(1), 34.219, 0.21716}},
}

func isc3(s Stability, xM float64) (sy, sz float64) {
	x := xM / 1000
	sy = isc3SigmaYScale * x * math.Tan(isc3DegToRad*(isc3C[s]-isc3D[s]*math.Log(x)))
	rows := isc3Z[s]
	i := 0
	for x > rows[i].maxKM {
		i++
	}
	sz = math.Min(rows[i].a*math.Pow(x, rows[i].b), isc3MaxSigmaZM)
	return sy, sz
}
