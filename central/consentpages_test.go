package central_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
)

// TestConsentListPages walks an authority's consent list over HTTP in pages:
// every consent once, in id order, a cursor on every page but the last, and
// bad limits and cursors are 400 invalid.
func TestConsentListPages(t *testing.T) {
	h := centraltest.Start(t)
	var want []string
	for i := range 5 {
		want = append(want, h.RequestConsent(t, "sundhed", []string{cprKaren, cprBo}[i%2]).ID)
	}
	h.RequestConsent(t, "skat", cprKaren, "income")
	slices.Sort(want)
	list := func(query string) bk.ConsentList {
		t.Helper()
		status, body := h.Authority(t, "sundhed", "GET", "/v1/authority/consent-requests"+query, nil)
		var l bk.ConsentList
		if status != 200 || json.Unmarshal(body, &l) != nil {
			t.Fatalf("list %q = %d %s; want 200", query, status, body)
		}
		return l
	}
	var got []string
	query, pages := "?limit=2", 0
	for ; pages < 10; pages++ {
		l := list(query)
		if len(l.Consents) > 2 {
			t.Errorf("page %d has %d consents; want at most 2", pages, len(l.Consents))
		}
		for _, c := range l.Consents {
			got = append(got, c.ID)
		}
		if l.NextCursor == "" {
			break
		}
		query = "?limit=2&cursor=" + url.QueryEscape(l.NextCursor)
	}
	if pages != 2 || !slices.Equal(got, want) {
		t.Errorf("pages of 2 = %d more pages, ids %v; want 2 more and %v", pages, got, want)
	}
	if l := list(""); len(l.Consents) != 5 || l.NextCursor != "" {
		t.Errorf("default page = %d consents, cursor %q; want all 5 and no cursor", len(l.Consents), l.NextCursor)
	}
	if l := list("?limit=5"); l.NextCursor != "" {
		t.Errorf("a page that ends exactly at the last consent has cursor %q; want none", l.NextCursor)
	}
	karens := list("?cpr=" + cprKaren + "&limit=1")
	if len(karens.Consents) != 1 || karens.NextCursor == "" {
		t.Fatalf("Karen's first page of 1 = %+v; want one consent and a cursor", karens)
	}
	rest := list("?cpr=" + cprKaren + "&cursor=" + url.QueryEscape(karens.NextCursor))
	if len(rest.Consents) != 2 || rest.Consents[0].ID <= karens.Consents[0].ID {
		t.Errorf("Karen's next page = %d consents; want her other 2, after the first", len(rest.Consents))
	}
	for _, bad := range []string{
		"?limit=0", "?limit=-1", "?limit=1001", "?limit=ten", "?limit=2.5",
		"?cursor=" + url.QueryEscape("not base64!"),
		"?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("usage/"+want[0])),
		"?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("consents/")),
	} {
		status, body := h.Authority(t, "sundhed", "GET", "/v1/authority/consent-requests"+bad, nil)
		wantError(t, "list "+bad, status, body, 400, bk.EInvalid)
	}
	if l := list("?limit=" + strconv.Itoa(central.MaxConsentPage)); len(l.Consents) != 5 {
		t.Errorf("the largest page lists %d; want 5", len(l.Consents))
	}
}
