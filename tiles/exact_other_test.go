//go:build !amd64 || amd64.v3

package tiles

// exactFloats: float rounding may differ from the amd64 that baked the
// golden demo archive (fused multiply-add, assembly math functions).
const exactFloats = false
