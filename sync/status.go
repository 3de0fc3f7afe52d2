package sync

import (
	"fmt"
	"math"
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
	StateClockSkew    State = "clock_skew"   // central refuses the kiosk's requests because its clock is wrong; retrying
	StateHalted       State = "halted"       // alarm: central's record of this kiosk differs; needs an operator
)

// Status is a snapshot for the kiosk's banner and staff screen.
type Status struct {
	State         State
	Online        bool
	Pending       int
	OldestPending time.Time // zero when nothing is pending
	LastSync      time.Time // last successful push or trust-bundle refresh
	Attention     int
	LastError     string // for staff; never holds citizen data
	Alarm         string // set in StateHalted
	// ClockSkew is how far the kiosk's clock is ahead of central's
	// (behind when negative), as last seen when central refused a request
	// for it (bk.EClockSkew); zero once central accepts the kiosk's time.
	ClockSkew      time.Duration
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

// ClockSkewText says in words for staff and logs how wrong the kiosk's
// clock is: "the kiosk clock is 12 minutes wrong (ahead of central)".
func ClockSkewText(skew time.Duration) string {
	if skew == 0 {
		return ""
	}
	side := "ahead of"
	if skew < 0 {
		side = "behind"
	}
	n := int(math.Round(skew.Abs().Minutes()))
	unit := "minutes"
	if n == 1 {
		unit = "minute"
	}
	return fmt.Sprintf("the kiosk clock is %d %s wrong (%s central); central refuses its requests until the clock is right", n, unit, side)
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
