package central_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

const cprNobody = "040480-2222" // an adult who holds and is offered nothing

// citizenAuth is card's sign-in at kiosk k: a fresh nonce, signed.
func citizenAuth(t *testing.T, k *centraltest.Kiosk, card *fixture.Card) bk.CitizenAuth {
	t.Helper()
	status, body := k.Request(t, "POST", "/v1/citizen/nonce", nil)
	var n bk.NonceResponse
	if status != 200 || json.Unmarshal(body, &n) != nil {
		t.Fatalf("nonce = %d %s", status, body)
	}
	sig, _ := card.Sign(context.Background(), bk.AuthChallenge(n.Nonce))
	return bk.CitizenAuth{Nonce: n.Nonce, Cert: card.Cert.Encode(), Signature: sig}
}

// citizenState is what card's holder sees at kiosk k: central's
// /v1/citizen/state after a card-signed sign-in.
func citizenState(t *testing.T, k *centraltest.Kiosk, card *fixture.Card) bk.CitizenState {
	t.Helper()
	status, body := k.Request(t, "POST", "/v1/citizen/state", mustJSON(t, citizenAuth(t, k, card)))
	var st bk.CitizenState
	if status != 200 || json.Unmarshal(body, &st) != nil {
		t.Fatalf("state = %d %s", status, body)
	}
	return st
}

// csrfOf returns the CSRF token of the form on page, or "".
func csrfOf(page string) string {
	if m := csrfField.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// TestOverviewOnTheWeb is the relative's overview of their delegations on
// the phone page, over real HTTP against the real central: sign-in first,
// what they hold and have been offered, and renouncing one through
// central's rules, seen afterwards by the principal at a kiosk.
func TestOverviewOnTheWeb(t *testing.T) {
	h := centraltest.Start(t)
	w := newHandoverWorld(t, h)
	mine := h.URL + handoverweb.MinePath

	// Bo holds one delegation (tax ends early, health runs the year) and
	// has been offered another.
	now := time.Now().UTC().Truncate(time.Second)
	heldID := bk.NewID(now)
	bo := bk.MustParseCPR(cprBo)
	taxEnds := now.AddDate(0, 3, 0)
	p := bk.Payload{DelegationID: heldID, Delegate: &bo, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		Scopes: []bk.ScopeGrant{{ScopeID: "tax", Until: taxEnds}, {ScopeID: "health"}}}
	if got := w.push(t, fixture.Action(bk.CreateDelegation, p, w.karen, nil, now)); strings.Join(got, " ") != "applied" {
		t.Fatalf("create = %v", got)
	}
	if err := w.redeem(t, w.code(t, heldID, cprBo), cprBo, "Bo Berg"); err != nil {
		t.Fatalf("accept: %v", err)
	}
	offeredID, _ := w.delegationOf(t, "tax")
	cat := h.Server.Catalogue()
	taxName, healthName := scopeName(t, cat, "tax"), scopeName(t, cat, "health")

	post := func(b *browser, form url.Values) (int, string) {
		status, page, _ := b.do(t, "POST", mine+"/renounce", form)
		return status, page
	}

	t.Run("not signed in: sign-in", func(t *testing.T) {
		b := newBrowser(h)
		status, page, _ := b.do(t, "GET", mine, nil)
		if status != 200 || !strings.Contains(page, `id="signin" href="/handover/signin?next=/handover/mine"`) || strings.Contains(page, "Karen") {
			t.Errorf("overview signed out = %d; want 200 with only the sign-in:\n%s", status, page)
		}
		if status, page := post(b, url.Values{"csrf": {"x"}, "id": {heldID}}); status != http.StatusUnauthorized {
			t.Errorf("renounce signed out = %d; want 401:\n%s", status, page)
		}
		if status, _, resp := b.do(t, "GET", mine+"/renounce?id="+heldID, nil); status != http.StatusSeeOther || resp.Header.Get("Location") != handoverweb.MinePath {
			t.Errorf("confirm signed out = %d; want 303 to the overview", status)
		}
	})

	t.Run("holds none", func(t *testing.T) {
		b := newBrowser(h)
		b.signIn(t, mine, cprNobody, "Nina Nielsen")
		_, page, _ := b.do(t, "GET", mine+"?lang=da", nil)
		for _, want := range []string{`id="held-none"`, `id="offered-none"`, "Nina Nielsen"} {
			if !strings.Contains(page, want) {
				t.Errorf("overview of a person with none lacks %s:\n%s", want, page)
			}
		}
		if strings.Contains(page, "Karen") {
			t.Errorf("overview of a person with none shows Karen's delegation")
		}
	})

	bob := newBrowser(h)
	bob.signIn(t, mine, cprBo, "Bo Berg")

	t.Run("holds active and pending", func(t *testing.T) {
		status, page, _ := bob.do(t, "GET", mine+"?lang=da", nil)
		held, offered := section(page, `id="held-`+heldID+`"`), section(page, `id="offered-`+offeredID+`"`)
		if status != 200 || held == "" || offered == "" {
			t.Fatalf("overview = %d; want the held and the offered delegation:\n%s", status, page)
		}
		taxUntil := "til " + timefmt.Zone{}.Date(taxEnds, "da")
		for _, want := range []string{"Karen Jensen", taxName, healthName, taxUntil, `id="renounce-` + heldID + `"`} {
			if !strings.Contains(held, want) {
				t.Errorf("held delegation lacks %q:\n%s", want, held)
			}
		}
		if !strings.Contains(offered, "Karen Jensen") || strings.Contains(offered, "renounce-") {
			t.Errorf("offered delegation: want Karen's name and no renounce:\n%s", offered)
		}
		for _, cpr := range []string{cprKaren, strings.ReplaceAll(cprKaren, "-", ""), cprBo, strings.ReplaceAll(cprBo, "-", "")} {
			if strings.Contains(page, cpr) {
				t.Errorf("overview shows the CPR number %s", cpr)
			}
		}
	})

	t.Run("renouncing someone else's refused", func(t *testing.T) {
		// Mallory holds one of her own, so her session has a form token.
		mal := bk.MustParseCPR(cprMallory)
		ownID := bk.NewID(now)
		own := bk.Payload{DelegationID: ownID, Delegate: &mal, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0), Scopes: []bk.ScopeGrant{{ScopeID: "tax"}}}
		if got := w.push(t, fixture.Action(bk.CreateDelegation, own, w.karen, nil, now)); strings.Join(got, " ") != "applied" {
			t.Fatalf("create = %v", got)
		}
		if err := w.redeem(t, w.code(t, ownID, cprMallory), cprMallory, "Mallory Madsen"); err != nil {
			t.Fatalf("accept: %v", err)
		}
		m := newBrowser(h)
		m.signIn(t, mine, cprMallory, "Mallory Madsen")
		_, page, _ := m.do(t, "GET", mine+"/renounce?id="+ownID, nil)
		token := csrfOf(page)
		if token == "" {
			t.Fatalf("no confirm form for Mallory's own delegation:\n%s", page)
		}
		if status, _, _ := m.do(t, "GET", mine+"/renounce?id="+heldID, nil); status != http.StatusForbidden {
			t.Errorf("confirm page of someone else's = %d; want 403", status)
		}
		if status, page := post(m, url.Values{"csrf": {token}, "id": {heldID}}); status != http.StatusForbidden {
			t.Errorf("renounce someone else's = %d; want 403:\n%s", status, page)
		}
		if d := h.Delegation(t, heldID); d.State != bk.DelegationActive {
			t.Errorf("after someone else's renounce: %s; want active", d.State)
		}
	})

	t.Run("CSRF missing refused", func(t *testing.T) {
		for _, form := range []url.Values{{"id": {heldID}}, {"id": {heldID}, "csrf": {"wrong"}}} {
			if status, page := post(bob, form); status != http.StatusForbidden {
				t.Errorf("renounce with csrf %q = %d; want 403:\n%s", form.Get("csrf"), status, page)
			}
		}
		if d := h.Delegation(t, heldID); d.State != bk.DelegationActive {
			t.Errorf("after renounces without CSRF: %s; want active", d.State)
		}
	})

	t.Run("renounce: gone, and the principal sees it renounced", func(t *testing.T) {
		status, page, _ := bob.do(t, "GET", mine+"/renounce?id="+heldID+"&lang=da", nil)
		token := csrfOf(page)
		if status != 200 || token == "" || !strings.Contains(page, `id="renounce-confirm" class="danger"`) ||
			!strings.Contains(page, "Det stopper") || !strings.Contains(page, taxName) {
			t.Fatalf("confirm page = %d; want what stops and a red confirm button:\n%s", status, page)
		}
		if d := h.Delegation(t, heldID); d.State != bk.DelegationActive {
			t.Fatalf("after only the confirm page: %s; want still active", d.State)
		}
		status, page = post(bob, url.Values{"csrf": {token}, "id": {heldID}})
		if status != 200 || !strings.Contains(page, `id="result-title"`) {
			t.Fatalf("renounce = %d:\n%s", status, page)
		}
		_, page, _ = bob.do(t, "GET", mine, nil)
		if strings.Contains(page, `id="held-`+heldID+`"`) || !strings.Contains(page, `id="held-none"`) {
			t.Errorf("overview after renouncing still shows it:\n%s", page)
		}
		st := citizenState(t, w.k, w.karen)
		var found bool
		for _, d := range st.GivenByMe {
			if d.ID == heldID {
				found = true
				if d.State != bk.DelegationRenounced {
					t.Errorf("Karen's kiosk state: %s; want renounced", d.State)
				}
			}
		}
		if !found {
			t.Errorf("Karen's kiosk state lacks the delegation")
		}
		recs := h.Records(t, central.WebKiosk, central.WebIncarnation)
		last := recs[len(recs)-1]
		if last.Action.Kind != bk.RenounceDelegation || last.Verdict.Outcome != bk.Applied || last.Action.ActorSerial != "web-dev" {
			t.Errorf("web action log ends with %s %s by %s; want an applied renounce by web-dev", last.Action.Kind, last.Verdict.Outcome, last.Action.ActorSerial)
		}
		// Again: no longer in force, refused by the rules.
		if status, page := post(bob, url.Values{"csrf": {token}, "id": {heldID}}); status == 200 {
			t.Errorf("second renounce = 200; want a refusal:\n%s", page)
		}
	})
}

func scopeName(t *testing.T, cat *bk.Catalogue, id string) string {
	t.Helper()
	s, ok := cat.Scope(id)
	if !ok {
		t.Fatalf("no scope %s", id)
	}
	return s.Name.In("da")
}

// section returns page from the element marked by attr to the end of its
// article.
func section(page, attr string) string {
	i := strings.Index(page, attr)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</article>")
	if j < 0 {
		return page[i:]
	}
	return page[i : i+j]
}
