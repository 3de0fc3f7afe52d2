package central_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// TestRevokedAfterCached checks that a card whose certificate central has
// already verified (and cached) is refused as soon as it is revoked, in a
// push and at sign-in: the cache holds signatures, not verdicts.
func TestRevokedAfterCached(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	c := func() string { return h.RequestConsent(t, "sundhed", cprKaren).ID }
	signIn := func() (int, []byte) {
		status, body := k.Request(t, "POST", "/v1/citizen/nonce", nil)
		if status != 200 {
			t.Fatalf("nonce = %d %s", status, body)
		}
		var n bk.NonceResponse
		if err := json.Unmarshal(body, &n); err != nil {
			t.Fatal(err)
		}
		sig, _ := karen.Sign(t.Context(), bk.AuthChallenge(n.Nonce))
		return k.Request(t, "POST", "/v1/citizen/state", mustJSON(t, bk.CitizenAuth{Nonce: n.Nonce, Cert: karen.Cert.Encode(), Signature: sig}))
	}

	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, give(t, h, karen, c()))}})
	wantOutcomes(t, "first push", r, 1, "applied")
	if status, body := signIn(); status != 200 {
		t.Fatalf("sign-in before revoking = %d %s", status, body)
	}

	h.Revoke(t, karen.Cert.Serial)
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(2, give(t, h, karen, c()))}})
	wantOutcomes(t, "push after revoking", r, 2, "rejected:"+bk.ECardRevoked)
	status, body := signIn()
	wantError(t, "sign-in after revoking", status, body, 403, bk.ECardRevoked)
}

// TestPushBusy checks admission control: with MaxPushes in flight, one
// more push is answered 503 with Retry-After and nothing of it is kept,
// and once the first is done the same batch goes through.
func TestPushBusy(t *testing.T) {
	gate := &gateStore{open: make(chan struct{})} // usage_test.go
	h := centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) {
		gate.Store = cfg.Store
		cfg.Store = gate
		cfg.MaxPushes, cfg.PushRetryAfter = 1, 3*time.Second
	}})
	srv := h.Server
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	first := mustJSON(t, bk.PushRequest{Kiosk: k.ID, Incarnation: "a", Actions: []bk.PushItem{item(1, give(t, h, karen, h.RequestConsent(t, "sundhed", cprKaren).ID))}})
	second := &bk.PushRequest{Kiosk: k.ID, Incarnation: "b", Actions: []bk.PushItem{item(1, give(t, h, karen, h.RequestConsent(t, "sundhed", cprKaren).ID))}}
	secondBody := mustJSON(t, second)

	gate.closed.Store(true)
	done := make(chan int, 1)
	go func() {
		status, _ := k.Request(t, "POST", "/v1/push", first)
		done <- status
	}()
	// The first push holds the only slot once its batch reaches the store.
	testtool.Until(t, "the first push in flight", func() bool { return srv.PushesInFlight() == 1 })

	req, _ := http.NewRequest("POST", h.URL+"/v1/push", bytes.NewReader(secondBody))
	req.Header.Set("Authorization", bk.SignKioskRequest(k.ID, k.Key, "POST", "/v1/push", secondBody, time.Now()))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantError(t, "a push beyond MaxPushes", resp.StatusCode, body, 503, bk.EUnavailable)
	if got := resp.Header.Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After = %q; want 3", got)
	}

	gate.closed.Store(false)
	close(gate.open)
	if status := <-done; status != 200 {
		t.Errorf("the push in flight = %d; want 200", status)
	}
	if n := h.PushCursor(t, k.ID, "b"); n != 0 {
		t.Errorf("the refused batch moved its cursor to %d", n)
	}
	wantOutcomes(t, "the refused batch sent again", k.Push(t, second), 1, "applied")
}
