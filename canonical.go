package borgerkiosk

import (
	"encoding/binary"
	"time"
)

// canonicalWriter builds the deterministic bytes that signatures cover: a
// domain-separation tag, then each field as a 4-byte big-endian length and its
// bytes. Field order is fixed by the caller, so the same values always give
// the same bytes, and no field can run into the next.
type canonicalWriter struct{ b []byte }

func newCanonical(tag string) *canonicalWriter {
	w := &canonicalWriter{}
	w.bytes([]byte(tag))
	return w
}

func (w *canonicalWriter) bytes(p []byte) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(p)))
	w.b = append(w.b, p...)
}

func (w *canonicalWriter) str(s string) { w.bytes([]byte(s)) }

func (w *canonicalWriter) time(t time.Time) {
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], uint64(t.Unix()))
	w.bytes(p[:])
}

func (w *canonicalWriter) timeNano(t time.Time) {
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], uint64(t.UnixNano()))
	w.bytes(p[:])
}

// canonicalReader reads what canonicalWriter wrote; any fault sets err and all
// later reads return zero values, so parsers check err once at the end.
type canonicalReader struct {
	b   []byte
	err bool
}

func (r *canonicalReader) bytes() []byte {
	if r.err || len(r.b) < 4 {
		r.err = true
		return nil
	}
	n := binary.BigEndian.Uint32(r.b)
	if uint64(n) > uint64(len(r.b)-4) {
		r.err = true
		return nil
	}
	p := r.b[4 : 4+n]
	r.b = r.b[4+n:]
	return p
}

func (r *canonicalReader) str() string { return string(r.bytes()) }

func (r *canonicalReader) time() time.Time {
	p := r.bytes()
	if len(p) != 8 {
		r.err = true
		return time.Time{}
	}
	return time.Unix(int64(binary.BigEndian.Uint64(p)), 0).UTC()
}

func (r *canonicalReader) done() bool { return !r.err && len(r.b) == 0 }
