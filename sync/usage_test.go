package sync

import (
	"context"
	"net/http"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// The kiosk reads a citizen's usage log from the real central, page by
// page, each page with a fresh nonce signed by the card.
func TestUsageLogClient(t *testing.T) {
	h := startCentral(t)
	k := newKioskAt(t, h, "", 0)
	card := h.Issuer.Citizen("010190-1234", "Karen Larsen")
	for range 3 {
		status, body := h.Authority(t, "sundhed", "POST", "/v1/authority/consent-checks",
			[]byte(`{"cpr":"010190-1234","data_category":"health","purpose":"Invitation til vaccination"}`))
		if status != http.StatusOK {
			t.Fatalf("consent check = %d %s", status, body)
		}
	}
	ctx := context.Background()
	auth := func() bk.CitizenAuth {
		n, err := k.client.Nonce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := card.Sign(ctx, bk.AuthChallenge(n))
		return bk.CitizenAuth{Nonce: n, Cert: card.Cert.Encode(), Signature: sig}
	}
	p1, err := k.client.UsageLog(ctx, auth(), "", 2)
	if err != nil || len(p1.Records) != 2 || p1.Next == "" {
		t.Fatalf("UsageLog(first 2) = %+v, %v; want 2 records and a next page", p1, err)
	}
	p2, err := k.client.UsageLog(ctx, auth(), p1.Next, 2)
	if err != nil || len(p2.Records) != 1 || p2.Next != "" {
		t.Fatalf("UsageLog(next) = %+v, %v; want the last record", p2, err)
	}
	r := p2.Records[0]
	if r.Kind != bk.UsageConsentCheck || r.Authority != "sundhed" || r.Answer != bk.UsageDenied || r.Role != bk.UsagePrincipal {
		t.Errorf("record = %+v; want sundhed's denied consent check in Karen's own log", r)
	}
	if _, err := k.client.UsageLog(ctx, auth(), "not-an-id", 0); bk.ErrorCode(err) != bk.EInvalid {
		t.Errorf("UsageLog(bad before) = %v; want code %s", err, bk.EInvalid)
	}
	if _, err := k.client.UsageLog(ctx, bk.CitizenAuth{Nonce: make([]byte, 32), Cert: card.Cert.Encode(), Signature: make([]byte, 64)}, "", 0); bk.ErrorCode(err) != bk.EUnauthorized {
		t.Errorf("UsageLog(unknown nonce) = %v; want code %s", err, bk.EUnauthorized)
	}
	h.HTTP.Close()
	if _, err := k.client.UsageLog(ctx, bk.CitizenAuth{}, "", 0); bk.ErrorCode(err) != bk.EUnavailable {
		t.Errorf("UsageLog offline = %v; want code %s", err, bk.EUnavailable)
	}
}
