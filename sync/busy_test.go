package sync

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

func TestRetryAfterHeader(t *testing.T) {
	for h, want := range map[string]time.Duration{
		"": 0, "2": 2 * time.Second, " 7 ": 7 * time.Second, "0": 0, "-3": 0, "soon": 0,
		"Wed, 21 Oct 2026 07:28:00 GMT": 0, "999999": maxRetryAfter,
	} {
		if got := retryAfter(h); got != want {
			t.Errorf("retryAfter(%q) = %v; want %v", h, got, want)
		}
	}
}

// holdStore, while holding, holds every Update until open is closed.
type holdStore struct {
	central.Store
	holding atomic.Bool
	open    chan struct{}
	opened  gosync.Once
}

func (s *holdStore) Update(ctx context.Context, fn func(central.Tx) error) error {
	if s.holding.Load() {
		select {
		case <-s.open:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.Store.Update(ctx, fn)
}

// TestPushersQueueWhenBusy runs many kiosks' pushers at once against a
// central that takes two pushes at a time, holding the store until
// central has turned kiosks away: the pushers wait as Retry-After says,
// stay online (never "offline" or "error"), and every action arrives.
func TestPushersQueueWhenBusy(t *testing.T) {
	const kiosks, actions = 12, 30
	hold := &holdStore{open: make(chan struct{})}
	h := centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) {
		hold.Store = cfg.Store
		cfg.Store = hold
		cfg.MaxPushes, cfg.PushRetryAfter = 2, time.Second
	}})
	var busy atomic.Int64
	target, _ := url.Parse(h.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "" {
			busy.Add(1)
			hold.opened.Do(func() { close(hold.open) }) // kiosks were turned away: let the store go

		}
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()

	p := newPeople(h.Issuer)
	rigs := make([]*kioskRig, kiosks)
	for i := range rigs {
		dir := t.TempDir()
		id, err := Enroll(context.Background(), filepath.Join(dir, "state"), h.URL, h.EnrollToken(t), fmt.Sprintf("kiosk-%d", i), "Library", nil)
		if err != nil {
			t.Fatal(err)
		}
		id.BaseURL = front.URL
		k := &kioskRig{dir: dir, id: id, ob: mustOpen(t, filepath.Join(dir, "outbox"), Options{})}
		k.client = NewClient(id, &http.Client{Timeout: 10 * time.Second})
		k.pusher, err = NewPusher(PusherConfig{Queue: k.ob, Client: k.client, StateDir: filepath.Join(dir, "state"),
			Logger: quietLogger(), MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxBatch: 10})
		if err != nil {
			t.Fatal(err)
		}
		for range actions {
			if _, err := k.ob.Enqueue(context.Background(), p.delegation(id.KioskID, time.Now())); err != nil {
				t.Fatal(err)
			}
		}
		rigs[i] = k
	}
	var mu gosync.Mutex
	var bad []string
	for _, k := range rigs {
		ch, unsub := k.pusher.Subscribe()
		defer unsub()
		go func() {
			for s := range ch {
				if s.State == StateOffline || s.State == StateError {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%s: %s %s", k.id.KioskID, s.State, s.LastError))
					mu.Unlock()
				}
			}
		}()
	}
	hold.holding.Store(true) // from now on pushes wait in the store
	for _, k := range rigs {
		k.startB(t)
	}
	for _, k := range rigs {
		testtool.Until(t, k.id.KioskID+" drained", func() bool { return k.ob.Stats().Acked == actions })
	}
	if busy.Load() == 0 {
		t.Error("central never answered 503 with Retry-After; the test did not test queueing")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, b := range bad {
		t.Errorf("a pusher was not just waiting its turn: %s", b)
	}
}
