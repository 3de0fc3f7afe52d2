package central_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// A CPR number whose date of birth is after today (central's clock, Danish
// date) has not been issued: every authority endpoint that takes one refuses
// it with cpr_future_birth; one born today is fine.
func TestAuthorityCPRBornInTheFuture(t *testing.T) {
	// 1 December 2026, 23:30 UTC: already 2 December (00:30) in Denmark
	// while it is still 1 December in UTC.
	clock := time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC)
	h := centraltest.StartWith(t, centraltest.Options{Now: func() time.Time { return clock }})
	const (
		today    = "021226-4000"
		tomorrow = "031226-4000"
		in2036   = "010136-9000"
	)
	request := func(cpr string) []byte {
		return []byte(`{"cpr":"` + cpr + `","purpose":{"da":"Forebyggelse","en":"Prevention"},"data_categories":["health"],` +
			`"legal_basis":{"da":"Samtykke","en":"Consent"},"valid_days":365}`)
	}
	check := func(cpr string) []byte {
		return []byte(`{"cpr":"` + cpr + `","data_category":"health","purpose":"Invitation"}`)
	}
	tests := []struct {
		name, method, path string
		body               []byte
		status             int
		code               string
	}{
		{"request, born tomorrow", "POST", "/v1/authority/consent-requests", request(tomorrow), 400, bk.ECPRFutureBirth},
		{"request, born 2036", "POST", "/v1/authority/consent-requests", request(in2036), 400, bk.ECPRFutureBirth},
		{"request, born today", "POST", "/v1/authority/consent-requests", request(today), 201, ""},
		{"list, born tomorrow", "GET", "/v1/authority/consent-requests?cpr=" + tomorrow, nil, 400, bk.ECPRFutureBirth},
		{"list, born today", "GET", "/v1/authority/consent-requests?cpr=" + today, nil, 200, ""},
		{"check, born tomorrow", "POST", "/v1/authority/consent-checks", check(tomorrow), 400, bk.ECPRFutureBirth},
		{"check, born 2036", "POST", "/v1/authority/consent-checks", check(in2036), 400, bk.ECPRFutureBirth},
		{"check, born today", "POST", "/v1/authority/consent-checks", check(today), 200, ""},
	}
	for _, tt := range tests {
		status, body := h.Authority(t, "sundhed", tt.method, tt.path, tt.body)
		if tt.code != "" {
			wantError(t, tt.name, status, body, tt.status, tt.code)
			if e := (bk.ErrorResponse{}); json.Unmarshal(body, &e) == nil && !strings.Contains(e.Message, "future") {
				t.Errorf("%s: message %q does not say the birth date is in the future", tt.name, e.Message)
			}
		} else if status != tt.status {
			t.Errorf("%s = %d %s; want %d", tt.name, status, body, tt.status)
		}
	}
}

// A kiosk cannot create a delegation to a number that has not been issued.
func TestPushDelegateBornInTheFuture(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	now := time.Now()
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	// Born a year from today: the seventh digit 5 puts years up to 57 in the 2000s.
	var unborn bk.CPR
	if err := json.Unmarshal([]byte(`"`+now.AddDate(1, 0, 0).Format("020106")+`-5000"`), &unborn); err != nil {
		t.Fatal(err)
	}
	create := fixture.Action(bk.CreateDelegation, bk.Payload{DelegationID: bk.NewID(now), Delegate: &unborn,
		Scopes: []bk.ScopeGrant{{ScopeID: "tax"}}, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0)}, karen, nil, now)
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, create)}})
	wantOutcomes(t, "create for an unborn delegate", r, 1, "rejected:"+bk.ECPRFutureBirth)
}
