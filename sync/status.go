package sync

import (
	gosync "sync"
	"time"
)

// State is what the pusher is doing.
type State string

const (
	StateStarting     State = "starting"
	StateIdle         State = "idle"         // online, nothing to send
	StatePushing      State = "pushing"      // sending batches
	StateOffline      State = "offline"      // central not reachable; retrying with backoff
	StateError        State = "error"        // central refused a batch; retrying with backoff
	StateUnauthorized State = "unauthorized" // central does not accept this kiosk; needs enrolment
	StateHalted       State = "halted"       // alarm: central's record of this kiosk differs; needs an operator
)

// Status is a snapshot for the kiosk's banner and staff screen.
type Status struct {
	State          State
	Online         bool
	Pending        int
	OldestPending  time.Time // zero when nothing is pending
	LastSync       time.Time // last successful push or trust-bundle refresh
	Attention      int
	LastError      string // for staff; never holds citizen data
	Alarm          string // set in StateHalted
	BundleIssuedAt time.Time
	BundleStale    bool
	At             time.Time
}

// OldestAge returns how long the oldest pending action has waited.
func (s Status) OldestAge(now time.Time) time.Duration {
	if s.OldestPending.IsZero() {
		return 0
	}
	return now.Sub(s.OldestPending)
}

// broadcaster hands the newest status to every subscriber without ever
// blocking: each subscriber has a one-slot channel that holds the latest
// status, so a slow reader skips intermediate ones.
type broadcaster struct {
	mu   gosync.Mutex
	subs map[chan Status]struct{}
	last Status
}

func (b *broadcaster) subscribe() (<-chan Status, func()) {
	ch := make(chan Status, 1)
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[chan Status]struct{}{}
	}
	b.subs[ch] = struct{}{}
	ch <- b.last
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}
}

func (b *broadcaster) publish(s Status) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = s
	for ch := range b.subs {
		select {
		case <-ch: // drop the stale one
		default:
		}
		ch <- s // cannot block: the slot is empty and we hold the lock
	}
}

func (b *broadcaster) current() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}
