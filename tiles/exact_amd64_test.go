//go:build amd64 && !amd64.v3

package tiles

// exactFloats: the golden demo archive was baked here. On amd64 below v3 Go
// fuses no multiply-adds, so float rounding (and so every pixel) is
// reproducible.
const exactFloats = true
