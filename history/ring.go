package history

// ring is a bounded FIFO of rows that drops its oldest rows when full. Its
// storage grows on demand up to the bound, so an idle recorder holds little
// memory. It does no locking: the Recorder's mutex guards it.
type ring[T any] struct {
	buf   []T
	head  int // index of the oldest row
	n     int // rows held
	limit int // most rows held
}

func newRing[T any](limit int) ring[T] { return ring[T]{limit: limit} }

// len returns the rows held.
func (r *ring[T]) len() int { return r.n }

// push appends v; when the ring is full it first drops the oldest row and
// reports that it did.
func (r *ring[T]) push(v T) (dropped bool) {
	if r.n == r.limit {
		var zero T
		r.buf[r.head] = zero
		r.head = (r.head + 1) % len(r.buf)
		r.n--
		dropped = true
	} else if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
	return dropped
}

// grow doubles the storage (at least 64 rows, at most limit), keeping the
// rows in order from index 0.
func (r *ring[T]) grow() {
	size := min(r.limit, max(64, 2*len(r.buf)))
	buf := make([]T, size)
	r.copyTo(buf, r.n)
	r.buf, r.head = buf, 0
}

// copyTo copies the n oldest rows into dst in order.
func (r *ring[T]) copyTo(dst []T, n int) {
	if n == 0 {
		return
	}
	first := min(n, len(r.buf)-r.head)
	copy(dst, r.buf[r.head:r.head+first])
	copy(dst[first:], r.buf[:n-first])
}

// take moves up to most of the oldest rows into dst (reused from dst[:0])
// and returns it.
func (r *ring[T]) take(dst []T, most int) []T {
	n := min(most, r.n)
	if cap(dst) < n {
		dst = make([]T, n)
	}
	dst = dst[:n]
	r.copyTo(dst, n)
	var zero T
	for i := 0; i < n; i++ { // release references for the garbage collector
		r.buf[(r.head+i)%len(r.buf)] = zero
	}
	if r.n -= n; r.n == 0 {
		r.head = 0
	} else {
		r.head = (r.head + n) % len(r.buf)
	}
	return dst
}
