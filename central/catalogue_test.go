package central_test

import (
	"encoding/json"
	"strings"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
)

// An authority asks only for the data categories the catalogue lets it, with
// a purpose that fits a receipt and a screen; anything else is refused with
// a {code, message} error and nothing is stored.
func TestConsentRequestLimits(t *testing.T) {
	h := centraltest.Start(t)
	request := func(categories []string, purpose string) []byte {
		return mustJSON(t, bk.ConsentRequest{CPR: bk.MustParseCPR(cprKaren), Purpose: bk.Text{DA: purpose, EN: "Prevention"},
			DataCategories: categories, LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365})
	}
	tests := []struct {
		name, authority string
		body            []byte
		status          int
		code            string
	}{
		{"health agency asks for health data", "sundhed", request([]string{"health", "medication"}, "Forebyggelse"), 201, ""},
		{"tax agency asks for income", "skat", request([]string{"income", "tax"}, "Fradrag"), 201, ""},
		{"tax agency asks for health data", "skat", request([]string{"health"}, "Fradrag"), 403, bk.ECategoryNotAllowed},
		{"tax agency slips health in", "skat", request([]string{"income", "medication"}, "Fradrag"), 403, bk.ECategoryNotAllowed},
		{"unknown category", "skat", request([]string{"dna"}, "Fradrag"), 400, bk.EInvalid},
		{"purpose of 200 characters", "sundhed", request([]string{"health"}, strings.Repeat("ø", 200)), 201, ""},
		{"purpose of 201 characters", "sundhed", request([]string{"health"}, strings.Repeat("ø", 201)), 400, bk.EPurposeTooLong},
		{"purpose of 60,000 characters", "sundhed", request([]string{"health"}, strings.Repeat("x", 60000)), 400, bk.EPurposeTooLong},
	}
	created := map[string]int{}
	for _, tt := range tests {
		status, body := h.Authority(t, tt.authority, "POST", "/v1/authority/consent-requests", tt.body)
		if tt.code != "" {
			wantError(t, tt.name, status, body, tt.status, tt.code)
			continue
		}
		if status != tt.status {
			t.Errorf("%s = %d %s; want %d", tt.name, status, body, tt.status)
		}
		created[tt.authority]++
	}
	for _, a := range []string{"sundhed", "skat"} {
		_, body := h.Authority(t, a, "GET", "/v1/authority/consent-requests", nil)
		var l struct{ Consents []bk.Consent }
		if err := json.Unmarshal(body, &l); err != nil || len(l.Consents) != created[a] {
			t.Errorf("%s has %d consents stored (%v); want %d: a refused request stored nothing", a, len(l.Consents), err, created[a])
		}
	}
}

// The catalogue central serves says what each authority may ask for.
func TestCatalogueListsAllowedCategories(t *testing.T) {
	h := centraltest.Start(t)
	status, body := h.Do(t, "GET", "/v1/catalogue", "", nil)
	var cat bk.Catalogue
	if status != 200 || json.Unmarshal(body, &cat) != nil {
		t.Fatalf("GET /v1/catalogue = %d %s", status, body)
	}
	for _, a := range cat.Authorities {
		if len(a.DataCategories) == 0 {
			t.Errorf("authority %s lists no data categories it may request", a.ID)
		}
	}
	if !cat.MayRequest("sundhed", "health") || cat.MayRequest("skat", "health") {
		t.Errorf("MayRequest(sundhed, health), MayRequest(skat, health) = %v, %v; want true, false",
			cat.MayRequest("sundhed", "health"), cat.MayRequest("skat", "health"))
	}
}
