package central

import (
	"strconv"
	"testing"
	"time"
)

// The limiter map stays bounded: at most MaxClients buckets, and buckets
// unused long enough to be full again are forgotten.
func TestClientLimiterBounded(t *testing.T) {
	c := newClientLimiter("test", RateLimit{PerMinute: 60, Burst: 3}, 100) // full again after 3 s
	t0 := time.Unix(1_000_000, 0)
	for i := range 1000 {
		c.take("10.0.0."+strconv.Itoa(i), t0)
	}
	if n := c.clients(); n != 100 {
		t.Errorf("after 1000 clients, %d remembered; want 100 (MaxClients)", n)
	}
	for range 3 {
		c.take("busy", t0)
	}
	if ok, retry, first := c.take("busy", t0); ok || !first || retry != time.Second {
		t.Errorf("4th take in a burst of 3 = %v, retry %v, first %v; want refused, 1s, first", ok, retry, first)
	}
	if _, _, first := c.take("busy", t0); first {
		t.Error("the second refusal in a row was reported as the first")
	}
	c.take("late", t0.Add(3*time.Second))
	if n := c.clients(); n != 1 {
		t.Errorf("3 s later, %d clients remembered; want 1 (the idle forgotten)", n)
	}
	if ok, _, _ := c.take("busy", t0.Add(3*time.Second)); !ok {
		t.Error("a client forgotten when idle starts with a full bucket; it was refused")
	}
	if newClientLimiter("off", RateLimit{PerMinute: -1}, 10) != nil {
		t.Error("a negative rate made a limiter; want none")
	}
}
