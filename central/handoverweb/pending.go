package handoverweb

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// PendingStore keeps the sign-ins in progress (each a Flow) between GET
// /handover/signin and the provider's callback. MemPending keeps them in
// memory for one central; SharedPending in central's store, for any number
// of central processes.
type PendingStore interface {
	// Put keeps f until f.Expires. When the store already holds its most,
	// it keeps nothing and returns ErrBusy.
	Put(ctx context.Context, f Flow, now time.Time) error
	// Take removes the flow named state and returns it, or false if there
	// is none or it had expired at now. An error is the store's.
	Take(ctx context.Context, state string, now time.Time) (Flow, bool, error)
}

// ErrBusy is what a bounded store returns when it is full; the page answers
// 503 with Retry-After rather than grow.
var ErrBusy = errors.New("handoverweb: too many sign-ins in progress")

// Defaults of New for the sign-ins in progress and the signed-in sessions
// it holds at once. At the cap on next (maxNextLen) a flow is about 2.5 KB.
const (
	DefaultMaxSignIns      = 10_000
	DefaultMaxSignInBytes  = 16 << 20
	DefaultMaxSessions     = 10_000
	DefaultMaxSessionBytes = 8 << 20
)

// MemPending is a PendingStore in memory, bounded in the number of flows
// and in their bytes. Expired flows leave in order without a scan of the
// whole store (see expiring).
type MemPending struct {
	mu sync.Mutex
	m  *expiring[Flow]
}

var _ PendingStore = (*MemPending)(nil)

// NewMemPending returns a store of at most maxCount flows and maxBytes
// bytes of their fields and bookkeeping.
func NewMemPending(maxCount, maxBytes int) *MemPending {
	return &MemPending{m: newExpiring[Flow](maxCount, maxBytes)}
}

// flowOverhead is what a flow costs beyond its strings: the map entry, the
// list element and the Flow itself, rounded up.
const flowOverhead = 256

func flowSize(f Flow) int {
	return flowOverhead + len(f.State) + len(f.Browser) + len(f.Next) + len(f.Verifier) + len(f.Nonce)
}

func (p *MemPending) Put(_ context.Context, f Flow, now time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.m.put(f.State, f, f.Expires, flowSize(f), now) {
		return ErrBusy
	}
	return nil
}

func (p *MemPending) Take(_ context.Context, state string, now time.Time) (Flow, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.m.take(state, now)
	return f, ok, nil
}

// Len returns the number of flows held, including expired ones not yet
// dropped.
func (p *MemPending) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m.order.Len()
}

// Bytes returns the bytes the held flows are counted at.
func (p *MemPending) Bytes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m.bytes
}

// expiring is a map bounded in count and bytes whose entries are dropped at
// their expiry. Entries are kept in a list in the order they were put; all
// of one kind have the same lifetime, so that is also the order of expiry,
// and every put drops expired entries from the front: each entry is dropped
// once, so a put costs amortised O(1) instead of a scan of the map. Should
// the clock step back, an entry at the front that has not expired shelters
// later ones for a while; they still count against the bounds, and get and
// take check expiry themselves. Not safe for concurrent use.
type expiring[V any] struct {
	maxCount, maxBytes int
	bytes              int
	items              map[string]*list.Element
	order              *list.List // of *entry[V], oldest first
}

type entry[V any] struct {
	key     string
	v       V
	expires time.Time
	size    int
}

func newExpiring[V any](maxCount, maxBytes int) *expiring[V] {
	return &expiring[V]{maxCount: maxCount, maxBytes: maxBytes, items: map[string]*list.Element{}, order: list.New()}
}

func (e *expiring[V]) remove(el *list.Element) {
	it := e.order.Remove(el).(*entry[V])
	delete(e.items, it.key)
	e.bytes -= it.size
}

func (e *expiring[V]) sweep(now time.Time) {
	for el := e.order.Front(); el != nil && !now.Before(el.Value.(*entry[V]).expires); el = e.order.Front() {
		e.remove(el)
	}
}

// put keeps v under key until expires, or reports false, keeping nothing,
// when that would pass a bound.
func (e *expiring[V]) put(key string, v V, expires time.Time, size int, now time.Time) bool {
	e.sweep(now)
	if old, ok := e.items[key]; ok {
		e.remove(old)
	}
	if e.order.Len() >= e.maxCount || e.bytes+size > e.maxBytes {
		return false
	}
	e.items[key] = e.order.PushBack(&entry[V]{key: key, v: v, expires: expires, size: size})
	e.bytes += size
	return true
}

func (e *expiring[V]) get(key string, now time.Time) (V, bool) {
	var zero V
	el, ok := e.items[key]
	if !ok {
		return zero, false
	}
	it := el.Value.(*entry[V])
	if !now.Before(it.expires) {
		e.remove(el)
		return zero, false
	}
	return it.v, true
}

func (e *expiring[V]) take(key string, now time.Time) (V, bool) {
	v, ok := e.get(key, now)
	if ok {
		e.delete(key)
	}
	return v, ok
}

func (e *expiring[V]) delete(key string) {
	if el, ok := e.items[key]; ok {
		e.remove(el)
	}
}
