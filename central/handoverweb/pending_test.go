package handoverweb_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// boundedPages serves the pages with development sign-in, the given store
// and session cap, on the test clock, logging into log.
func boundedPages(t *testing.T, store handoverweb.PendingStore, maxSessions int) (*httptest.Server, *fixture.Clock, *testtool.Buffer) {
	t.Helper()
	clk := fixture.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	log := &testtool.Buffer{}
	srv := httptest.NewServer(handoverweb.New(handoverweb.Config{
		SignIn: handoverweb.DevSignIn{}, Pending: store, MaxSessions: maxSessions, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(log, nil)),
	}))
	t.Cleanup(srv.Close)
	return srv, clk, log
}

// startSignIns starts n sign-ins with next in browser c and returns the
// states of those started and the refusals' statuses.
func startSignIns(t *testing.T, c *http.Client, base, next string, n int) (states []string, refused []int) {
	t.Helper()
	for i := 0; i < n; i++ {
		status, page, resp := get(t, c, base+"/handover/signin?lang=en&next="+url.QueryEscape(next))
		switch status {
		case http.StatusSeeOther:
			loc, _ := resp.Location()
			states = append(states, loc.Query().Get("state"))
		case http.StatusServiceUnavailable:
			if resp.Header.Get("Retry-After") == "" || !strings.Contains(page, "Many people are signing in") || !strings.Contains(page, `role="alert"`) {
				t.Fatalf("sign-in refused when full = %d, Retry-After %q:\n%s", status, resp.Header.Get("Retry-After"), page)
			}
			refused = append(refused, status)
		default:
			t.Fatalf("sign-in %d = %d; want 303 or 503:\n%s", i, status, page)
		}
	}
	return states, refused
}

// Unauthenticated sign-ins with huge next values fill the store to its
// bounds (count and bytes) and no further; the oldest expire and make room
// without a scan; when full, the answer is a clear 503.
func TestSignInsAreBounded(t *testing.T) {
	t.Run("next is capped", func(t *testing.T) {
		store := handoverweb.NewMemPending(100, 1<<20)
		srv, _, _ := boundedPages(t, store, 0)
		for _, next := range []string{"/H/" + strings.Repeat("A", 2046), "/H/A B", "/H/A\x00B", "/H/Aé"} {
			if status, _, _ := get(t, client(t), srv.URL+"/handover/signin?next="+url.QueryEscape(next)); status != http.StatusBadRequest {
				t.Errorf("sign-in with a %d-byte next %.12q… = %d; want 400", len(next), next, status)
			}
		}
		if store.Len() != 0 {
			t.Errorf("refused sign-ins left %d flows", store.Len())
		}
	})

	t.Run("bytes", func(t *testing.T) {
		const maxBytes = 64 << 10
		store := handoverweb.NewMemPending(10_000, maxBytes)
		srv, _, _ := boundedPages(t, store, 0)
		huge := "/H/" + strings.Repeat("A", 2045) // at the cap of 2,048 bytes
		states, refused := startSignIns(t, client(t), srv.URL, huge, 200)
		if len(states) == 0 || len(refused) == 0 || store.Bytes() > maxBytes || store.Len() != len(states) || store.Len()*len(huge) > maxBytes {
			t.Errorf("200 sign-ins with a 2 KB next: %d kept (%d bytes), %d refused; want the store to stop at %d bytes",
				store.Len(), store.Bytes(), len(refused), maxBytes)
		}
	})

	t.Run("count and expiry", func(t *testing.T) {
		store := handoverweb.NewMemPending(100, 1<<20)
		srv, clk, log := boundedPages(t, store, 0)
		c := client(t)
		old, _ := startSignIns(t, c, srv.URL, "/H/OLD", 40)
		clk.Add(6 * time.Minute)
		newer, refused := startSignIns(t, c, srv.URL, "/H/NEW", 200)
		if len(old) != 40 || len(newer) != 60 || len(refused) != 140 || store.Len() != 100 {
			t.Fatalf("40 then 200 sign-ins into 100 places: %d and %d kept, %d refused, %d held", len(old), len(newer), len(refused), store.Len())
		}
		// A flood does not flood the log: one line a minute, with the count.
		if n := strings.Count(log.String(), "refused: full"); n != 1 {
			t.Errorf("140 refusals within a minute logged %d times; want once:\n%s", n, log)
		}
		// Past the first batch's ten minutes, not the second's: the first
		// batch has gone, and its places are free.
		clk.Add(4*time.Minute + time.Second)
		if again, _ := startSignIns(t, c, srv.URL, "/H/AGAIN", 1); len(again) != 1 || store.Len() != 61 {
			t.Errorf("after the oldest expired: %d started, %d held; want 1 and 61", len(again), store.Len())
		}
		form := func(state string) int {
			status, _, _ := post(t, c, srv.URL+"/handover/dev", url.Values{"state": {state}, "cpr": {delegateCPR}, "name": {"Peter Jensen"}})
			return status
		}
		if got := form(old[0]); got != http.StatusBadRequest {
			t.Errorf("finishing an expired sign-in = %d; want 400", got)
		}
		if got := form(newer[0]); got != http.StatusSeeOther {
			t.Errorf("finishing a live sign-in = %d; want 303", got)
		}
	})

	t.Run("sessions", func(t *testing.T) {
		srv, _, _ := boundedPages(t, handoverweb.NewMemPending(100, 1<<20), 2)
		var got []int
		for i := 0; i < 3; i++ {
			c := client(t)
			states, _ := startSignIns(t, c, srv.URL, "/H/X", 1)
			status, _, resp := post(t, c, srv.URL+"/handover/dev", url.Values{"state": states, "cpr": {delegateCPR}, "name": {"Peter Jensen"}})
			if status == http.StatusServiceUnavailable && (resp.Header.Get("Retry-After") == "" || sessionCookieSet(resp)) {
				t.Errorf("a sign-in past the session cap answered 503 without Retry-After, or signed in")
			}
			got = append(got, status)
		}
		if got[0] != http.StatusSeeOther || got[1] != http.StatusSeeOther || got[2] != http.StatusServiceUnavailable {
			t.Errorf("three sign-ins with room for two sessions = %v; want 303 303 503", got)
		}
	})
}

// The store on its own: a flow is taken once, not after its expiry, and a
// full store keeps nothing more.
func TestMemPending(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	p := handoverweb.NewMemPending(2, 1<<20)
	for _, s := range []string{"a", "b"} {
		if err := p.Put(context.Background(), handoverweb.Flow{State: s, Expires: now.Add(time.Minute)}, now); err != nil {
			t.Fatalf("Put(%s) = %v", s, err)
		}
	}
	if err := p.Put(context.Background(), handoverweb.Flow{State: "c", Expires: now.Add(time.Minute)}, now); err != handoverweb.ErrBusy {
		t.Errorf("Put into a full store = %v; want ErrBusy", err)
	}
	if _, ok, _ := p.Take(context.Background(), "a", now); !ok {
		t.Error("Take(a) = false; want the flow")
	}
	if _, ok, _ := p.Take(context.Background(), "a", now); ok {
		t.Error("Take(a) a second time = true; want false")
	}
	if _, ok, _ := p.Take(context.Background(), "b", now.Add(time.Minute)); ok {
		t.Error("Take(b) at its expiry = true; want false")
	}
	if p.Len() != 0 || p.Bytes() != 0 {
		t.Errorf("emptied store holds %d flows, %d bytes", p.Len(), p.Bytes())
	}
}
