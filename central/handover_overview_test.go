package central_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/handover/handovertest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// overviewToken asks central, as the kiosk does when printing card's
// overview, for the signed proof.
func overviewToken(t *testing.T, k *centraltest.Kiosk, card *fixture.Card) central.OverviewTokenResponse {
	t.Helper()
	status, body := k.Request(t, "POST", "/v1/citizen/overview-token", mustJSON(t, citizenAuth(t, k, card)))
	var r central.OverviewTokenResponse
	if status != 200 || json.Unmarshal(body, &r) != nil || !strings.HasPrefix(r.Path, handover.URLPathOverview) {
		t.Fatalf("overview token = %d %s; want 200 with a path", status, body)
	}
	return r
}

// TestOverviewProofOnTheWeb checks a printed overview's QR at the phone
// page over real HTTP: genuine and current, outdated after a revoke,
// tampered, signed by a key that is not central's, and rate-limited.
func TestOverviewProofOnTheWeb(t *testing.T) {
	tests := []struct {
		name   string
		path   func(t *testing.T, w *handoverWorld, delegationID, path string) string
		status int
		want   []string
		limits central.RateLimits
	}{
		{"genuine", func(t *testing.T, w *handoverWorld, _, path string) string { return path },
			200, []string{"Papiret er ægte og gælder stadig", `id="line-1"`, `id="line-2"`, "gælder stadig"}, central.RateLimits{}},
		{"outdated", func(t *testing.T, w *handoverWorld, id, path string) string {
			if got := w.push(t, fixture.Action(bk.RevokeDelegation, bk.Payload{DelegationID: id}, w.karen, nil, time.Now())); strings.Join(got, " ") != "applied" {
				t.Fatalf("revoke = %v", got)
			}
			return path
		}, 200, []string{"noget er ændret", "er stoppet af den, der gav den"}, central.RateLimits{}},
		{"tampered", func(t *testing.T, w *handoverWorld, _, path string) string {
			b := []byte(path)
			i := len(b) - 20
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return string(b)
		}, 0 /* 403, or 400 when the change breaks the encoding too */, []string{"kan ikke bekræftes", "Stol ikke på papiret"}, central.RateLimits{}},
		{"unknown key", func(t *testing.T, w *handoverWorld, _, path string) string {
			o, err := handover.VerifyOverview(path, w.h.CentralKey)
			if err != nil {
				t.Fatal(err)
			}
			_, other, _ := ed25519.GenerateKey(rand.Reader)
			forged, err := handover.IssueOverview(*o, central.OverviewKeyID, other)
			if err != nil {
				t.Fatal(err)
			}
			return forged
		}, http.StatusForbidden, []string{"kan ikke bekræftes"}, central.RateLimits{}},
		{"rate-limited", func(t *testing.T, w *handoverWorld, _, path string) string {
			for range 2 {
				newBrowser(w.h).do(t, "GET", w.h.URL+path, nil)
			}
			return path
		}, http.StatusTooManyRequests, []string{"For mange forsøg"}, central.RateLimits{TypedCode: central.RateLimit{PerMinute: 1, Burst: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) {
				cfg.RateLimits.TypedCode = tt.limits.TypedCode
			}})
			w := newHandoverWorld(t, h)
			id, codeURL := w.delegation(t)
			if err := w.redeem(t, codeURL, cprBo, "Bo Berg"); err != nil {
				t.Fatal(err)
			}
			h.RequestConsent(t, "sundhed", cprKaren)
			tok := overviewToken(t, w.k, w.karen)
			if len(tok.IDs) != 2 {
				t.Fatalf("token covers %v; want the delegation and the consent", tok.IDs)
			}
			if v, err := handovertest.Version(strings.ToUpper(h.URL) + tok.Path); err != nil || v > 10 {
				t.Errorf("QR of the overview: version %d (%v); want at most 10", v, err)
			}
			status, page, _ := newBrowser(h).do(t, "GET", h.URL+tt.path(t, w, id, tok.Path)+"?lang=da", nil)
			if status != tt.status && !(tt.status == 0 && (status == http.StatusForbidden || status == http.StatusBadRequest)) {
				t.Errorf("status = %d; want %d:\n%s", status, tt.status, page)
			}
			for _, want := range tt.want {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q:\n%s", want, page)
				}
			}
			for _, never := range []string{"Karen", "Bo Berg", cprKaren, strings.ReplaceAll(cprKaren, "-", ""), cprBo} {
				if strings.Contains(page, never) {
					t.Errorf("page shows %q, which it must not", never)
				}
			}
		})
	}
}
