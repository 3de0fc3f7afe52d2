package central_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// TestStrictJSONEveryEndpoint sends every endpoint that reads a body a key
// in the wrong letter case and a key twice: both are refused with 400
// invalid before anything happens, while the exact body is read.
func TestStrictJSONEveryEndpoint(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	operator := "Bearer " + h.OperatorToken
	authority := "Bearer " + h.AuthorityTokens["sundhed"]
	for _, tc := range []struct {
		path, auth string // auth "kiosk": signed by k
		body       string // exact keys; {{K}} is where a key is changed
		key, value string // the key changed, and the value of its duplicate
	}{
		{"/v1/admin/enrollment-tokens", operator, `{{{K}}:3600}`, "ttl_seconds", "7200"},
		{"/v1/admin/revocations", operator, `{{{K}}:"serial-1"}`, "serial", `"serial-2"`},
		{"/v1/enroll", "", `{{{K}}:"t","kiosk_id":"k9","public_key":"` + strings.Repeat("A", 43) + `="}`, "token", `"u"`},
		{"/v1/push", "kiosk", `{"kiosk":"` + k.ID + `",{{K}}:"inc","actions":[]}`, "incarnation", `"other"`},
		{"/v1/citizen/state", "kiosk", `{{{K}}:"` + strings.Repeat("A", 43) + `=","cert":"AA==","signature":"AA=="}`, "nonce", `""`},
		{"/v1/authority/consent-requests", authority, `{{{K}}:"010190-1234","purpose":{"da":"a","en":"b"},` +
			`"data_categories":["health"],"legal_basis":{"da":"a","en":"b"},"valid_days":30}`, "cpr", `"020285-4321"`},
		{"/v1/authority/consent-checks", authority, `{{{K}}:"010190-1234","data_category":"health","purpose":"test"}`, "cpr", `"020285-4321"`},
		{"/v1/authority/delegation-checks", authority, `{{{K}}:"010190-1234","delegate":"020285-4321","scope":"health","purpose":"test"}`, "principal", `"030380-1111"`},
		{"/v1/citizen/usage", "kiosk", `{{{K}}:{"nonce":"` + strings.Repeat("A", 43) + `=","cert":"AA==","signature":"AA=="},"limit":10}`, "auth", `{}`},
	} {
		variants := map[string]string{
			"exact":      strings.Replace(tc.body, "{{K}}", `"`+tc.key+`"`, 1),
			"upper case": strings.Replace(tc.body, "{{K}}", `"`+strings.ToUpper(tc.key)+`"`, 1),
			"title case": strings.Replace(tc.body, "{{K}}", `"`+strings.ToUpper(tc.key[:1])+tc.key[1:]+`"`, 1),
			"duplicate":  strings.Replace(tc.body, "{{K}}", `"`+tc.key+`":`+tc.value+`,"`+tc.key+`"`, 1),
			"trailing":   strings.Replace(tc.body, "{{K}}", `"`+tc.key+`"`, 1) + `{}`,
		}
		for name, body := range variants {
			auth := tc.auth
			if auth == "kiosk" {
				auth = bk.SignKioskRequest(k.ID, k.Key, "POST", tc.path, []byte(body), time.Now())
			}
			status, resp := h.Do(t, "POST", tc.path, auth, []byte(body))
			var e bk.ErrorResponse
			json.Unmarshal(resp, &e)
			refused := status == http.StatusBadRequest && e.Code == bk.EInvalid && strings.Contains(e.Message, "JSON")
			if name == "exact" && refused {
				t.Errorf("POST %s with exact keys = %d %s; want it read", tc.path, status, resp)
			}
			if name != "exact" && !refused {
				t.Errorf("POST %s %s: %s = %d %s; want 400 invalid", tc.path, name, body, status, resp)
			}
		}
	}
}
