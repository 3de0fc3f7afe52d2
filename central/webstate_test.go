package central_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
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

// The phone pages on the store: sign-ins and sessions are bounded by count
// there as in memory, and a full store answers 503 with Retry-After.
func TestWebStateBoundsThePages(t *testing.T) {
	h := centraltest.Start(t)
	pages := httptest.NewServer(handoverweb.New(handoverweb.Config{
		Registry: h.Server, State: h.Server, SignIn: handoverweb.DevSignIn{}, MaxSessions: 1,
		Pending: handoverweb.SharedPending{S: h.Server, Max: 2},
	}))
	t.Cleanup(pages.Close)
	noFollow := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	start := func(c *http.Client) (int, string) {
		t.Helper()
		resp, err := c.Get(pages.URL + "/handover/signin?next=" + url.QueryEscape("/H/X"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		loc, _ := resp.Location()
		if loc == nil {
			return resp.StatusCode, ""
		}
		return resp.StatusCode, loc.Query().Get("state")
	}
	finish := func(c *http.Client, state string) int {
		t.Helper()
		resp, err := c.PostForm(pages.URL+"/handover/dev", url.Values{"state": {state}, "cpr": {cprBo}, "name": {"Bo Berg"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	a, b := noFollow(), noFollow()
	sa, stateA := start(a)
	sb, stateB := start(b)
	if sc, _ := start(noFollow()); sa != http.StatusSeeOther || sb != http.StatusSeeOther || sc != http.StatusServiceUnavailable {
		t.Errorf("three sign-ins with room for two = %d %d %d; want 303 303 503", sa, sb, sc)
	}
	if got := finish(a, stateA); got != http.StatusSeeOther {
		t.Errorf("finishing the first sign-in = %d; want 303", got)
	}
	if got := finish(b, stateB); got != http.StatusServiceUnavailable {
		t.Errorf("finishing a second sign-in with room for one session = %d; want 503", got)
	}
}
