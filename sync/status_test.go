package sync

import (
	"testing"
	"time"
)

// A subscriber that stops reading never blocks publish and, when it reads
// again, gets the newest status.
func TestBroadcasterLatestWins(t *testing.T) {
	var b broadcaster
	slow, unsubSlow := b.subscribe()
	defer unsubSlow()
	fast, unsubFast := b.subscribe()
	<-fast // the status at subscription
	for i := 1; i <= 1000; i++ {
		b.publish(Status{Pending: i})
	}
	if s := <-slow; s.Pending != 1000 {
		t.Fatalf("slow subscriber got Pending = %d; want 1000", s.Pending)
	}
	if s := <-fast; s.Pending != 1000 {
		t.Fatalf("fast subscriber got Pending = %d; want 1000", s.Pending)
	}
	unsubFast()
	b.publish(Status{Pending: 1001})
	select {
	case s := <-fast:
		t.Fatalf("unsubscribed channel got %+v", s)
	default:
	}
	if b.current().Pending != 1001 {
		t.Fatalf("current() = %+v; want Pending 1001", b.current())
	}
}

func TestStatusOldestAge(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		oldest time.Time
		want   time.Duration
	}{
		{time.Time{}, 0},
		{now.Add(-90 * time.Second), 90 * time.Second},
	}
	for _, tt := range tests {
		if got := (Status{OldestPending: tt.oldest}).OldestAge(now); got != tt.want {
			t.Errorf("OldestAge(%v) = %v; want %v", tt.oldest, got, tt.want)
		}
	}
}
