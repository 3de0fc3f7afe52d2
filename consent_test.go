package borgerkiosk_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

func validRequest() *bk.ConsentRequest {
	return &bk.ConsentRequest{
		CPR:            principal.CPR,
		Purpose:        bk.Text{DA: "Behandling", EN: "Treatment"},
		DataCategories: []string{"health", "income"},
		LegalBasis:     bk.Text{DA: "Samtykke", EN: "Consent"},
		ValidDays:      365,
	}
}

// cprFromJSON makes a CPR the way a request body does: form and date are
// checked, the clock is not, so numbers born after the tests' now can be made.
func cprFromJSON(t *testing.T, s string) bk.CPR {
	t.Helper()
	var c bk.CPR
	if err := json.Unmarshal([]byte(`"`+s+`"`), &c); err != nil {
		t.Fatalf("CPR %s: %v", s, err)
	}
	return c
}

func TestConsentRequestValidate(t *testing.T) {
	cat := fixture.Catalogue()
	if err := validRequest().Validate(cat, "sundhed", now); err != nil {
		t.Fatalf("Validate(valid request) = %v; want nil", err)
	}
	tests := []struct {
		name   string
		change func(r *bk.ConsentRequest)
		code   string
	}{
		{"no cpr", func(r *bk.ConsentRequest) { r.CPR = bk.CPR{} }, bk.EInvalid},
		{"cpr born tomorrow", func(r *bk.ConsentRequest) { r.CPR = cprFromJSON(t, "271126-4000") }, bk.ECPRFutureBirth},
		{"cpr born in 2036", func(r *bk.ConsentRequest) { r.CPR = cprFromJSON(t, "010136-9000") }, bk.ECPRFutureBirth},
		{"purpose without Danish", func(r *bk.ConsentRequest) { r.Purpose.DA = "" }, bk.EInvalid},
		{"purpose without English", func(r *bk.ConsentRequest) { r.Purpose.EN = "" }, bk.EInvalid},
		{"legal basis without Danish", func(r *bk.ConsentRequest) { r.LegalBasis.DA = "" }, bk.EInvalid},
		{"legal basis without English", func(r *bk.ConsentRequest) { r.LegalBasis.EN = "" }, bk.EInvalid},
		{"no data categories", func(r *bk.ConsentRequest) { r.DataCategories = nil }, bk.EInvalid},
		{"unknown data category", func(r *bk.ConsentRequest) { r.DataCategories = []string{"health", "dna"} }, bk.EInvalid},
		{"duplicate data category", func(r *bk.ConsentRequest) { r.DataCategories = []string{"health", "health"} }, bk.EInvalid},
		{"zero days", func(r *bk.ConsentRequest) { r.ValidDays = 0 }, bk.EInvalid},
		{"negative days", func(r *bk.ConsentRequest) { r.ValidDays = -1 }, bk.EInvalid},
		{"too many days", func(r *bk.ConsentRequest) { r.ValidDays = bk.MaxConsentDays + 1 }, bk.EInvalid},
		{"Danish purpose one too long", func(r *bk.ConsentRequest) { r.Purpose.DA = strings.Repeat("æ", bk.MaxPurposeRunes+1) }, bk.EPurposeTooLong},
		{"English purpose one too long", func(r *bk.ConsentRequest) { r.Purpose.EN = strings.Repeat("a", bk.MaxPurposeRunes+1) }, bk.EPurposeTooLong},
		{"purpose of 60,000 characters", func(r *bk.ConsentRequest) { r.Purpose.DA = strings.Repeat("Formål ", 60000/7) }, bk.EPurposeTooLong},
	}
	for _, tt := range tests {
		r := validRequest()
		tt.change(r)
		if err := r.Validate(cat, "sundhed", now); bk.ErrorCode(err) != tt.code {
			t.Errorf("Validate(%s) = %v; want a %q error", tt.name, err, tt.code)
		}
	}
	// Purposes are counted in characters, not bytes: 200 of "æ" are 400 bytes.
	for _, p := range []bk.Text{
		{DA: strings.Repeat("æ", bk.MaxPurposeRunes), EN: strings.Repeat("a", bk.MaxPurposeRunes)},
		{DA: "x", EN: "y"},
	} {
		r := validRequest()
		r.Purpose = p
		if err := r.Validate(cat, "sundhed", now); err != nil {
			t.Errorf("Validate(purpose of %d and %d characters) = %v; want nil", len([]rune(p.DA)), len([]rune(p.EN)), err)
		}
	}
	// Each authority asks only for the categories the catalogue lets it.
	for _, tt := range []struct {
		authority  string
		categories []string
		code       string
	}{
		{"sundhed", []string{"health", "income"}, ""},
		{"skat", []string{"income"}, ""},
		{"skat", []string{"health"}, bk.ECategoryNotAllowed},
		{"skat", []string{"income", "health"}, bk.ECategoryNotAllowed},
		{"skat", []string{"dna"}, bk.EInvalid}, // unknown beats not allowed: the id itself is wrong
		{"nobody", []string{"income"}, bk.EInvalid},
	} {
		r := validRequest()
		r.DataCategories = tt.categories
		if err := r.Validate(cat, tt.authority, now); bk.ErrorCode(err) != tt.code {
			t.Errorf("Validate(%s asks for %v) = %v; want code %q", tt.authority, tt.categories, err, tt.code)
		}
	}
	born := validRequest()
	born.CPR = cprFromJSON(t, "261126-4000") // born the day of now
	if err := born.Validate(cat, "sundhed", now); err != nil {
		t.Errorf("Validate(cpr born today) = %v; want nil", err)
	}
	for _, days := range []int{1, bk.MaxConsentDays} {
		r := validRequest()
		r.ValidDays = days
		if err := r.Validate(cat, "sundhed", now); err != nil {
			t.Errorf("Validate(%d days) = %v; want nil", days, err)
		}
	}
}

func TestNewConsent(t *testing.T) {
	r := validRequest()
	local := now.In(time.FixedZone("CET", 3600))
	c := bk.NewConsent(consentID, "sundhed", r, local)
	want := &bk.Consent{
		ID: consentID, CPR: r.CPR, AuthorityID: "sundhed", Purpose: r.Purpose,
		DataCategories: []string{"health", "income"}, LegalBasis: r.LegalBasis, ValidDays: 365,
		RequestedAt: now, State: bk.ConsentRequested, ChangedAt: now,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("NewConsent = %+v; want %+v", c, want)
	}
	r.DataCategories[0] = "changed"
	if c.DataCategories[0] != "health" {
		t.Errorf("NewConsent shares the request's category slice")
	}
}

func TestConsentCovers(t *testing.T) {
	given := consent(bk.ConsentGiven) // given at t0 for 365 days: health only
	tests := []struct {
		name      string
		c         *bk.Consent
		authority string
		category  string
		at        time.Time
		want      bool
	}{
		{"given", given, "sundhed", "health", now, true},
		{"other category", given, "sundhed", "income", now, false},
		{"other authority", given, "skat", "health", now, false},
		{"last moment", given, "sundhed", "health", given.ValidUntil.Add(-time.Nanosecond), true},
		{"at expiry", given, "sundhed", "health", given.ValidUntil, false},
		{"requested", consent(bk.ConsentRequested), "sundhed", "health", now, false},
		{"declined", consent(bk.ConsentDeclined), "sundhed", "health", now, false},
		{"withdrawn", consent(bk.ConsentWithdrawn), "sundhed", "health", now, false},
		{"revoked", consent(bk.ConsentRevoked), "sundhed", "health", now, false},
		{"expired", consent(bk.ConsentExpired), "sundhed", "health", now, false},
	}
	for _, tt := range tests {
		if got := tt.c.Covers(tt.authority, tt.category, tt.at); got != tt.want {
			t.Errorf("Covers(%s: %s, %s) = %v; want %v", tt.name, tt.authority, tt.category, got, tt.want)
		}
	}
}

func TestConsentStateAt(t *testing.T) {
	c := consent(bk.ConsentGiven)
	if got := c.StateAt(c.ValidUntil.Add(-time.Second)); got != bk.ConsentGiven {
		t.Errorf("StateAt(before expiry) = %s; want given", got)
	}
	if got := c.StateAt(c.ValidUntil); got != bk.ConsentExpired {
		t.Errorf("StateAt(expiry) = %s; want expired", got)
	}
	w := consent(bk.ConsentWithdrawn)
	if got := w.StateAt(w.ValidUntil.AddDate(1, 0, 0)); got != bk.ConsentWithdrawn {
		t.Errorf("StateAt(withdrawn, long after) = %s; want withdrawn", got)
	}
}

func TestDelegationActiveScopes(t *testing.T) {
	d := delegation(bk.DelegationActive, func(d *bk.Delegation) { d.ValidFrom = now.AddDate(0, 0, 1) })
	// tax until the end; health until now + 6 months; starts tomorrow.
	tests := []struct {
		name string
		d    *bk.Delegation
		at   time.Time
		want []string
	}{
		{"before start", d, now, nil},
		{"at start", d, d.ValidFrom, []string{"tax", "health"}},
		{"health ended", d, now.AddDate(0, 6, 0), []string{"tax"}},
		{"at end", d, d.ValidTo, nil},
		{"pending", delegation(bk.DelegationPending), now, nil},
		{"revoked", delegation(bk.DelegationRevoked), now, nil},
		{"renounced", delegation(bk.DelegationRenounced), now, nil},
	}
	for _, tt := range tests {
		if got := tt.d.ActiveScopes(tt.at); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ActiveScopes(%s) = %v; want %v", tt.name, got, tt.want)
		}
	}
	for _, s := range []bk.DelegationState{bk.DelegationPending, bk.DelegationActive} {
		d := delegation(s)
		if got := d.StateAt(d.ValidTo); got != bk.DelegationExpired {
			t.Errorf("StateAt(%s at ValidTo) = %s; want expired", s, got)
		}
		if got := d.StateAt(d.ValidTo.Add(-time.Second)); got != s {
			t.Errorf("StateAt(%s before ValidTo) = %s; want %s", s, got, s)
		}
	}
	if got := delegation(bk.DelegationRevoked).StateAt(now.AddDate(5, 0, 0)); got != bk.DelegationRevoked {
		t.Errorf("StateAt(revoked, after ValidTo) = %s; want revoked", got)
	}
}

// CheckDelegationTerms is what the kiosk asks before the citizen signs: the
// same refusals as create, judged at now.
func TestCheckDelegationTerms(t *testing.T) {
	r := testRules()
	if err := r.CheckDelegationTerms(*createPayload(), now); err != nil {
		t.Errorf("CheckDelegationTerms(valid) = %v; want nil", err)
	}
	tests := []struct {
		name   string
		change func(p *bk.Payload)
		want   string
	}{
		{"unknown scope", func(p *bk.Payload) { p.Scopes = []bk.ScopeGrant{{ScopeID: "pension"}} }, bk.EUnknownScope},
		{"no scope", func(p *bk.Payload) { p.Scopes = nil }, bk.EUnknownScope},
		{"backwards", func(p *bk.Payload) { p.ValidFrom, p.ValidTo = p.ValidTo, p.ValidFrom }, bk.EBadValidity},
		{"past start", func(p *bk.Payload) { p.ValidFrom = now.AddDate(0, 0, -2) }, bk.EBadValidity},
		{"too long", func(p *bk.Payload) { p.ValidTo = now.AddDate(6, 0, 0) }, bk.EBadValidity},
	}
	for _, tt := range tests {
		p := createPayload()
		tt.change(p)
		if got := bk.ErrorCode(r.CheckDelegationTerms(*p, now)); got != tt.want {
			t.Errorf("CheckDelegationTerms(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}
