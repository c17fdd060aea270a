package tiles

import (
	"cmp"
	"image"
	"math"
	"slices"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// labelPad is the halo radius and the gap kept between labels, pixels.
const labelPad = 2

// placed is a label placed at one zoom, in world pixels of that zoom.
type placed struct {
	text   string
	sizePx float64
	x, y   int64      // baseline start, whole pixels so every tile renders the glyphs alike
	box    [4]float64 // x0, y0, x1, y1 of the text and its halo
}

// placeLabels chooses the labels shown at zoom z: in order of their first
// zoom (areas before buildings before units), then rank, each that fits
// its feature (at most 1.4 times as wide, 1.2 times as tall) and does not
// overlap one already placed or repeat its text. Labels whose text the font cannot draw are
// left out.
func placeLabels(specs []labelSpec, z uint8, tileSize int, fs *faces) []placed {
	specs = slices.Clone(specs)
	slices.SortStableFunc(specs, func(a, b labelSpec) int {
		return cmp.Or(cmp.Compare(a.minZoom, b.minZoom), -cmp.Compare(a.rank, b.rank), cmp.Compare(a.text, b.text))
	})
	scale := float64(tileSize) * float64(uint64(1)<<z)
	var out []placed
	for _, s := range specs {
		if z < s.minZoom {
			continue
		}
		size := s.sizePx + float64(min(z-s.minZoom, 3))
		face := fs.at(size)
		if !drawable(face, s.text) {
			continue
		}
		w := float64(font.MeasureString(face, s.text).Ceil())
		m := face.Metrics()
		asc, desc := float64(m.Ascent.Ceil()), float64(m.Descent.Ceil())
		fw, fh := (s.feature.Max[0]-s.feature.Min[0])*scale, (s.feature.Max[1]-s.feature.Min[1])*scale
		if w > 1.4*fw || asc+desc > 1.2*fh {
			continue
		}
		x := int64(math.Round(s.anchor[0]*scale - w/2))
		y := int64(math.Round(s.anchor[1]*scale + (asc-desc)/2))
		p := placed{text: s.text, sizePx: size, x: x, y: y,
			box: [4]float64{float64(x) - labelPad, float64(y) - asc - labelPad, float64(x) + w + labelPad, float64(y) + desc + labelPad}}
		if !slices.ContainsFunc(out, func(q placed) bool { return q.text == p.text || overlaps(p.box, q.box) }) {
			out = append(out, p)
		}
	}
	return out
}

func overlaps(a, b [4]float64) bool {
	return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

// drawable reports whether face has a glyph for every rune of s.
func drawable(face font.Face, s string) bool {
	for _, r := range s {
		if _, ok := face.GlyphAdvance(r); !ok && r != ' ' {
			return false
		}
	}
	return s != ""
}

// drawLabels renders the labels that meet the tile: text into a mask
// padded by labelPad on every side (so halos of glyphs just outside the
// tile still reach into it), the halo as that mask dilated, then halo and
// text composited onto the tile.
func (c *canvas) drawLabels(ls []placed, v view) {
	clear(c.text.Pix)
	any := false
	for _, l := range ls {
		if l.box[2] < v.ox || l.box[3] < v.oy || l.box[0] > v.ox+v.size || l.box[1] > v.oy+v.size {
			continue
		}
		any = true
		d := font.Drawer{Dst: c.text, Src: image.Opaque, Face: c.faces.at(l.sizePx),
			Dot: fixed.P(int(l.x-int64(v.ox))+labelPad, int(l.y-int64(v.oy))+labelPad)}
		d.DrawString(l.text)
	}
	if !any {
		return
	}
	ink := inkBounds(c.text)
	dilate(c.halo, c.text, labelPad, ink)
	r := ink.Inset(-labelPad).Sub(image.Pt(labelPad, labelPad))
	composite(c.img, r, c.halo, labelPad, colHalo)
	composite(c.img, r, c.text, labelPad, colText)
}

// inkBounds is the bound of a mask's non-zero pixels.
func inkBounds(m *image.Alpha) image.Rectangle {
	w := m.Rect.Dx()
	x0, y0, x1, y1 := w, m.Rect.Dy(), 0, 0
	for y := range m.Rect.Dy() {
		row := m.Pix[y*m.Stride : y*m.Stride+w]
		for x, a := range row {
			if a != 0 {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
			}
		}
	}
	return image.Rect(x0, y0, x1, y1)
}

// dilate sets dst to the maximum of src over a disc of radius r, src being
// zero outside ink.
func dilate(dst, src *image.Alpha, r int, ink image.Rectangle) {
	clear(dst.Pix)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	area := ink.Inset(-r).Intersect(src.Rect)
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			var m uint8
			for dy := -r; dy <= r; dy++ {
				yy := y + dy
				if yy < 0 || yy >= h {
					continue
				}
				row := src.Pix[yy*src.Stride:]
				for dx := -r; dx <= r; dx++ {
					xx := x + dx
					if xx >= 0 && xx < w && dx*dx+dy*dy <= r*r+1 {
						m = max(m, row[xx])
					}
				}
			}
			dst.Pix[y*dst.Stride+x] = m
		}
	}
}
