package tiles

import (
	"bytes"
	"cmp"
	"image"
	"image/color"
	"image/png"
	"slices"
)

// encoder writes tiles as paletted PNGs: the tile's own colours when there
// are at most 256 (the usual case, as coverage is quantised), else its 256
// most frequent colours with every other pixel mapped to the nearest of
// them (no dithering). Not safe for concurrent use.
type encoder struct {
	png    png.Encoder
	buf    bytes.Buffer
	counts map[uint32]int
	index  map[uint32]uint8
	pal    *image.Paletted
}

func newEncoder() *encoder {
	return &encoder{png: png.Encoder{CompressionLevel: png.BestCompression}, counts: map[uint32]int{}, index: map[uint32]uint8{}}
}

func key(p []uint8) uint32 { return uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2]) }

// encode returns img (opaque) as PNG bytes.
func (e *encoder) encode(img *image.RGBA) ([]byte, error) {
	clear(e.counts)
	clear(e.index)
	n := len(img.Pix) / 4
	// Count runs of one colour, not pixels: tiles are mostly flat.
	run, prev := 0, key(img.Pix)
	for i := 0; i < n; i++ {
		if k := key(img.Pix[4*i:]); k != prev {
			e.counts[prev] += run
			run, prev = 0, k
		}
		run++
	}
	e.counts[prev] += run
	colours := make([]uint32, 0, len(e.counts))
	for k := range e.counts {
		colours = append(colours, k)
	}
	slices.SortFunc(colours, func(a, b uint32) int { return cmp.Or(-cmp.Compare(e.counts[a], e.counts[b]), cmp.Compare(a, b)) })
	colours = colours[:min(len(colours), 256)]
	palette := make(color.Palette, len(colours))
	for i, k := range colours {
		palette[i] = color.RGBA{uint8(k >> 16), uint8(k >> 8), uint8(k), 0xff}
		e.index[k] = uint8(i)
	}
	if e.pal == nil || e.pal.Rect != img.Rect {
		e.pal = image.NewPaletted(img.Rect, nil)
	}
	e.pal.Palette = palette
	lastKey, lastIdx := ^uint32(0), uint8(0)
	for i := 0; i < n; i++ {
		k := key(img.Pix[4*i:])
		if k != lastKey {
			idx, ok := e.index[k]
			if !ok {
				idx = nearest(colours, k)
				e.index[k] = idx
			}
			lastKey, lastIdx = k, idx
		}
		e.pal.Pix[i] = lastIdx
	}
	e.buf.Reset()
	if err := e.png.Encode(&e.buf, e.pal); err != nil {
		return nil, err
	}
	return bytes.Clone(e.buf.Bytes()), nil
}

// nearest is the index of the colour closest to k (squared RGB distance;
// the first of equals).
func nearest(colours []uint32, k uint32) uint8 {
	best, bestD := 0, int(^uint(0)>>1)
	for i, c := range colours {
		d := 0
		for s := 0; s < 24; s += 8 {
			v := int(c>>s&0xff) - int(k>>s&0xff)
			d += v * v
		}
		if d < bestD {
			best, bestD = i, d
		}
	}
	return uint8(best)
}
