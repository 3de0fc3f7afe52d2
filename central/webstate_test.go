package central_test

import (
	"context"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// Web state is bounded by count while live, taken once, and swept by
// central's clock once expired.
func TestWebState(t *testing.T) {
	clk := fixture.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	s := centraltest.StartWith(t, centraltest.Options{Now: clk.Now}).Server
	ctx := context.Background()
	for _, k := range []string{"a", "b"} {
		if err := s.PutWebState(ctx, "signin", k, []byte(k), clk.Now().Add(10*time.Minute), 2); err != nil {
			t.Fatalf("PutWebState(%s) = %v", k, err)
		}
	}
	if err := s.PutWebState(ctx, "signin", "c", nil, clk.Now().Add(10*time.Minute), 2); err != central.ErrWebStateFull {
		t.Errorf("PutWebState past the bound = %v; want ErrWebStateFull", err)
	}
	if err := s.PutWebState(ctx, "session", "c", []byte("c"), clk.Now().Add(15*time.Minute), 2); err != nil {
		t.Errorf("PutWebState of another kind = %v; want nil (bounds are per kind)", err)
	}
	if v, _, err := s.TakeWebState(ctx, "signin", "a"); err != nil || string(v) != "a" {
		t.Errorf("TakeWebState(a) = %q, %v", v, err)
	}
	if _, _, err := s.TakeWebState(ctx, "signin", "a"); bk.ErrorCode(err) != bk.ENotFound {
		t.Errorf("TakeWebState(a) again = %v; want not found", err)
	}
	if n, err := s.SweepWebState(ctx); err != nil || n != 0 {
		t.Errorf("SweepWebState before expiry = %d, %v; want 0", n, err)
	}
	clk.Add(11 * time.Minute)
	if n, err := s.SweepWebState(ctx); err != nil || n != 1 {
		t.Errorf("SweepWebState after the sign-ins' expiry = %d, %v; want 1", n, err)
	}
	if _, _, err := s.GetWebState(ctx, "session", "c"); err != nil {
		t.Errorf("GetWebState(live session) = %v", err)
	}
	if err := s.DeleteWebState(ctx, "session", "c"); err != nil {
		t.Errorf("DeleteWebState = %v", err)
	}
	if err := s.DeleteWebState(ctx, "session", "c"); err != nil {
		t.Errorf("DeleteWebState of an absent record = %v; want nil", err)
	}
}
