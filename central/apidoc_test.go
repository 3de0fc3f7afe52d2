package central_test

import (
	"net/http"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
	"gopkg.in/yaml.v3"
)

// TestAPIDoc keeps docs/api.yaml and the server in step: every documented
// operation is served, every served route is documented, and every $ref
// resolves.
func TestAPIDoc(t *testing.T) {
	raw, err := os.ReadFile("../docs/api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI    string                               `yaml:"openapi"`
		Paths      map[string]map[string]map[string]any `yaml:"paths"`
		Components map[string]map[string]any            `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("api.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("openapi = %q; want 3.0.x", doc.OpenAPI)
	}
	var documented []string
	paths := map[string]bool{}
	for path, ops := range doc.Paths {
		paths[path] = true
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s has no responses", method, path)
			}
		}
	}
	sort.Strings(documented)

	// What the server serves, from the server itself (its API table, the
	// routes added with Handle, the pages' own list), so a route added
	// anywhere without its page in api.yaml fails here.
	h := centraltest.Start(t)
	routes := h.Server.Routes()
	for _, want := range []string{"POST /v1/authority/delegation-checks", "POST /v1/citizen/usage", "/v1/token",
		"GET /C/{code}", "POST /handover/mine/renounce", "GET /handover/dev"} {
		if !slices.Contains(routes, want) {
			t.Errorf("Server.Routes() = %v; want it to hold %s", routes, want)
		}
	}
	// The harness signs in with the dev provider; the OIDC callback is
	// served only with OIDC sign-in (TestHandoverInBrowser goes through it).
	onlyWithOIDC := map[string]bool{"GET /handover/oidc/callback": true}
	served := map[string]bool{}
	for op := range onlyWithOIDC {
		served[op] = true
	}
	for _, r := range routes {
		if _, _, ok := strings.Cut(r, " "); ok {
			if !slices.Contains(documented, r) {
				t.Errorf("the server serves %s, which docs/api.yaml does not document", r)
			}
			served[r] = true
			continue
		}
		// A pattern for every method answers the others itself (405):
		// the documented methods of its path are served.
		if !paths[r] {
			t.Errorf("the server serves %s, which docs/api.yaml does not document", r)
		}
		for _, op := range documented {
			if strings.HasSuffix(op, " "+r) {
				served[op] = true
			}
		}
	}
	for _, op := range documented {
		if !served[op] {
			t.Errorf("docs/api.yaml documents %s, which the server does not serve", op)
		}
	}
	for _, op := range documented {
		if onlyWithOIDC[op] {
			continue
		}
		method, path, _ := strings.Cut(op, " ")
		status, _ := h.Do(t, method, strings.ReplaceAll(path, "{id}", "x"), "", nil)
		if status == http.StatusNotFound && !strings.Contains(path, "{id}") || status == http.StatusMethodNotAllowed {
			t.Errorf("%s answers %d; want it served", op, status)
		}
	}

	for _, ref := range strings.Split(string(raw), "$ref: ")[1:] {
		ref = strings.Trim(strings.Fields(ref)[0], `"},`)
		parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
		if len(parts) != 2 || doc.Components[parts[0]][parts[1]] == nil {
			t.Errorf("$ref %s does not resolve", ref)
		}
	}
}

// TestAPISchemas keeps the bodies of docs/api.yaml in step with the Go
// types the server reads and writes: each schema's properties are the
// type's JSON fields, no more and no fewer.
func TestAPISchemas(t *testing.T) {
	raw, err := os.ReadFile("../docs/api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("api.yaml: %v", err)
	}
	for name, v := range map[string]any{
		"DelegationCheck": central.DelegationCheck{}, "DelegationCheckResult": central.DelegationCheckResult{},
		"ConsentCheck": bk.ConsentCheck{}, "ConsentCheckResult": bk.ConsentCheckResult{},
		"UsageRequest": bk.UsageRequest{}, "UsageLog": bk.UsageLog{}, "UsageRecord": bk.UsageRecord{},
		"CitizenAuth": bk.CitizenAuth{}, "TokenExchangeResponse": tokenexchange.Response{}, "OAuthError": tokenexchange.Error{},
		"AuthorizationServerMetadata": tokenexchange.Metadata{},
		"CitizenState":                bk.CitizenState{}, "Delegation": bk.Delegation{}, "ScopeGrant": bk.ScopeGrant{}, "Consent": bk.Consent{},
		"ConsentRequest": bk.ConsentRequest{}, "ConsentList": bk.ConsentList{}, "PushRequest": bk.PushRequest{}, "PushItem": bk.PushItem{},
		"PushResponse": bk.PushResponse{}, "Verdict": bk.Verdict{}, "Action": bk.Action{}, "Payload": bk.Payload{}, "Assist": bk.Assist{},
		"Contact": bk.Contact{}, "EnrollRequest": bk.EnrollRequest{}, "EnrollResponse": bk.EnrollResponse{},
		"EnrollTokenRequest": bk.EnrollTokenRequest{}, "EnrollTokenResponse": bk.EnrollTokenResponse{},
		"RevocationRequest": bk.RevocationRequest{}, "Revocation": central.Revocation{}, "NonceResponse": bk.NonceResponse{},
		"Health": bk.Health{}, "Notice": central.Notice{}, "TrustBundle": bk.TrustBundle{}, "SignedBundle": bk.SignedBundle{},
		"IssuerKey": bk.IssuerKey{}, "KioskKey": bk.KioskKey{}, "Catalogue": bk.Catalogue{}, "Authority": bk.Authority{},
		"DataCategory": bk.DataCategory{}, "Scope": bk.Scope{}, "Text": bk.Text{},
	} {
		s, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("api.yaml has no schema %s", name)
			continue
		}
		var documented, fields []string
		for p := range s.Properties {
			documented = append(documented, p)
		}
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.IsExported() && tag != "-" {
				if tag == "" {
					tag = f.Name
				}
				fields = append(fields, tag)
			}
		}
		slices.Sort(documented)
		slices.Sort(fields)
		if !slices.Equal(documented, fields) {
			t.Errorf("schema %s documents %v; %s has the JSON fields %v", name, documented, typ, fields)
		}
	}
}
