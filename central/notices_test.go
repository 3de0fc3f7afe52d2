package central_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// recorder is a Channel that keeps what it is given; fail, if set, decides
// an error per message. (central/smtpmail's tests send real e-mail.)
type recorder struct {
	mu   sync.Mutex
	got  []*central.Message
	fail func(m *central.Message) error
}

func (r *recorder) Name() string                    { return "test" }
func (r *recorder) Reaches(m *central.Message) bool { return m.Contact.HasEmail() }
func (r *recorder) Send(_ context.Context, m *central.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(m); err != nil {
			return err
		}
	}
	r.got = append(r.got, m)
	return nil
}

// take returns what was sent since the last take, as "to-address: subject".
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.got {
		out = append(out, m.Contact.Email+": "+m.Subject)
	}
	r.got = nil
	sort.Strings(out) // notices due at one time go by id
	return out
}

func startNotices(t *testing.T) (*centraltest.Harness, *centraltest.Kiosk, *recorder, *fixture.Clock) {
	rec := &recorder{}
	clk := fixture.NewClock(time.Now().UTC().Truncate(time.Second))
	h := centraltest.StartWith(t, centraltest.Options{Now: clk.Now, Configure: func(cfg *central.Config) {
		cfg.Notices = central.NoticeConfig{Channels: []central.Channel{rec}, Every: -1, RetryBase: time.Minute, MaxAttempts: 2}
	}})
	return h, h.EnrollKiosk(t, fixture.KioskID), rec, clk
}

// pushApplied returns a function that pushes one action at a time and
// wants each applied.
func pushApplied(t *testing.T, k *centraltest.Kiosk) func(a *bk.Action) {
	seq := uint64(0)
	return func(a *bk.Action) {
		t.Helper()
		seq++
		wantOutcomes(t, string(a.Kind), k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(seq, a)}}), seq, "applied")
	}
}

// setEmail is a set_contact action with reminders on.
func setEmail(card *fixture.Card, email, lang string, at time.Time) *bk.Action {
	return fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: email, Language: lang, EmailReminders: true}}, card, nil, at)
}

func tick(t *testing.T, h *centraltest.Harness) {
	t.Helper()
	if _, err := h.Server.Notifier().Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Server.Notifier().Dispatch(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func wantSent(t *testing.T, what string, rec *recorder, want ...string) {
	t.Helper()
	if got := rec.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: sent %q; want %q", what, got, want)
	}
}

// TestConsentNotices: a request waiting, its end 30 days ahead, its end.
func TestConsentNotices(t *testing.T) {
	h, k, rec, clk := startNotices(t)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	push := pushApplied(t, k)
	push(fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "karen@example.dk", Language: bk.LangDanish, EmailReminders: true}}, karen, nil, clk.Now()))
	c := h.RequestConsent(t, "sundhed", cprKaren)
	tick(t, h)
	wantSent(t, "request", rec, "karen@example.dk: Du har fået et spørgsmål")
	push(fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: c.ID}, karen, nil, clk.Now()))
	tick(t, h)
	wantSent(t, "given", rec) // she did it herself: nothing to tell
	clk.Add(334 * 24 * time.Hour)
	tick(t, h)
	wantSent(t, "day 334", rec) // 31 days left
	clk.Add(24 * time.Hour)
	tick(t, h)
	wantSent(t, "day 335", rec, "karen@example.dk: Dit samtykke slutter snart")
	clk.Add(30 * 24 * time.Hour)
	tick(t, h)
	tick(t, h)
	wantSent(t, "day 365", rec, "karen@example.dk: Dit samtykke er slut")
}

// TestRenewalGetsFreshReminders: a renewal moves the end, so the old end's
// reminders fire into nothing and the new end gets its own.
func TestRenewalGetsFreshReminders(t *testing.T) {
	h, k, rec, clk := startNotices(t)
	day := 24 * time.Hour
	start := clk.Now()
	karen, bo, id, create := karenToBo(h, start, start, "tax")
	push := pushApplied(t, k)
	push(setEmail(karen, "karen@example.dk", bk.LangDanish, start))
	push(setEmail(bo, "bo@example.com", bk.LangEnglish, start))
	push(create)
	push(fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, bo, nil, start))
	tick(t, h)
	wantSent(t, "create, accept", rec, "bo@example.com: You have been given a power of attorney", "karen@example.dk: Din fuldmagt gælder nu")

	oldEnd := start.AddDate(1, 0, 0)
	clk.Add(oldEnd.Sub(start) - 30*day)
	tick(t, h)
	got := rec.take()
	if len(got) != 2 {
		t.Fatalf("30 days before the end: sent %q; want both told", got)
	}
	now := clk.Now()
	push(fixture.Action(bk.RenewDelegation, bk.Payload{DelegationID: id, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: now, ValidTo: now.AddDate(1, 0, 0)}, karen, nil, now))
	tick(t, h)
	wantSent(t, "renewed", rec, "bo@example.com: A power of attorney was renewed")
	clk.Add(30 * day) // past the old end: nothing, neither 7 days before nor ended
	tick(t, h)
	wantSent(t, "the old end", rec)
	clk.Add(now.AddDate(1, 0, 0).Sub(clk.Now()) - 30*day)
	tick(t, h)
	if got := rec.take(); len(got) != 2 || !strings.Contains(got[1], "Din fuldmagt slutter snart") {
		t.Errorf("30 days before the new end: sent %q; want both told again", got)
	}
}

// TestDeadLetters: a refusal for good lands on the operator's list, with
// the address masked; a retry sends it; retrying a sent notice is refused.
func TestDeadLetters(t *testing.T) {
	h, k, rec, clk := startNotices(t)
	start := clk.Now()
	_, bo, _, create := karenToBo(h, start, start, "tax")
	rec.fail = func(m *central.Message) error {
		return &central.PermanentError{Err: errors.New("550 5.1.1 <" + m.Contact.Email + ">: no such user")}
	}
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{
		item(1, fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "bo.berg@example.com", Language: bk.LangEnglish}}, bo, nil, start)),
		item(2, create)}})
	wantOutcomes(t, "contact, create", r, 2, "applied", "applied")
	tick(t, h)
	list := func() []central.Notice {
		t.Helper()
		status, body := h.Do(t, "GET", "/v1/admin/notices/dead", "Bearer "+h.OperatorToken, nil)
		var out struct{ Notices []central.Notice }
		if status != 200 || json.Unmarshal(body, &out) != nil {
			t.Fatalf("dead letters = %d %s", status, body)
		}
		return out.Notices
	}
	dead := list()
	if len(dead) != 1 || dead[0].Kind != bk.NoticeOffered || dead[0].LastError != "550 5.1.1 <b***@example.com>: no such user" || dead[0].Attempts != 1 {
		t.Fatalf("dead letters = %+v; want the offer, its error with the address masked", dead)
	}
	status, body := h.Do(t, "GET", "/v1/admin/notices/dead", "", nil)
	wantError(t, "dead letters without a token", status, body, 401, bk.EUnauthorized)
	status, body = h.Do(t, "GET", "/v1/admin/notices/dead?limit=0x", "Bearer "+h.OperatorToken, nil)
	wantError(t, "dead letters, bad limit", status, body, 400, bk.EInvalid)

	rec.fail = nil
	status, body = h.Do(t, "POST", "/v1/admin/notices/"+dead[0].ID+"/retry", "Bearer "+h.OperatorToken, nil)
	if status != 200 {
		t.Fatalf("retry = %d %s", status, body)
	}
	tick(t, h)
	wantSent(t, "after the retry", rec, "bo.berg@example.com: You have been given a power of attorney")
	if d := list(); len(d) != 0 {
		t.Errorf("dead letters after the retry = %+v; want none", d)
	}
	status, body = h.Do(t, "POST", "/v1/admin/notices/"+dead[0].ID+"/retry", "Bearer "+h.OperatorToken, nil)
	wantError(t, "retry a sent notice", status, body, 409, bk.EConflict)
	status, body = h.Do(t, "POST", "/v1/admin/notices/nope/retry", "Bearer "+h.OperatorToken, nil)
	wantError(t, "retry an unknown notice", status, body, 404, bk.ENotFound)
	_, metrics := h.Do(t, "GET", "/metrics", "", nil)
	for _, line := range []string{`borgerkiosk_central_notice_deliveries_total{outcome="dead"} 1`, `borgerkiosk_central_notice_deliveries_total{outcome="sent"} 1`} {
		if !strings.Contains(string(metrics), line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
	if logs := h.Logs(); strings.Contains(logs, "bo.berg@") {
		t.Errorf("central logged the address in full")
	}
}

// TestTemporaryFailuresEndDead: a channel that keeps failing is retried
// with backoff, MaxAttempts times, and then the notice is a dead letter.
func TestTemporaryFailuresEndDead(t *testing.T) {
	h, k, rec, clk := startNotices(t)
	start := clk.Now()
	_, bo, _, create := karenToBo(h, start, start, "tax")
	tries := 0
	rec.fail = func(*central.Message) error { tries++; return errors.New("421 try later") }
	k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{
		item(1, fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "bo@example.com", Language: bk.LangEnglish}}, bo, nil, start)),
		item(2, create)}})
	tick(t, h)
	tick(t, h) // too soon for the retry
	if tries != 1 {
		t.Errorf("%d tries before the backoff ended; want 1", tries)
	}
	clk.Add(2 * time.Minute)
	tick(t, h)
	if tries != 2 {
		t.Errorf("%d tries after the backoff; want 2", tries)
	}
	var dead []*central.Notice
	dead, err := h.Server.DeadNotices(context.Background(), "", 0)
	if err != nil || len(dead) != 1 || dead[0].Attempts != 2 || dead[0].LastError != "421 try later" {
		t.Errorf("dead letters = %+v, %v; want the offer after 2 attempts", dead, err)
	}
}

// TestSignInSetsMissingTimers: a delegation stored without timers (from
// before central kept them, or the demo seed) gets its future reminders
// when a person it concerns signs in, and signing in again repeats nothing.
func TestSignInSetsMissingTimers(t *testing.T) {
	h, k, rec, clk := startNotices(t)
	day := 24 * time.Hour
	now := clk.Now()
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{
		item(1, fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "karen@example.dk", Language: bk.LangDanish, EmailReminders: true}}, karen, nil, now))}})
	d := &bk.Delegation{ID: bk.NewID(now), Principal: bk.MustParseCPR(cprKaren), PrincipalName: "Karen Larsen",
		Delegate: bk.MustParseCPR(cprBo), DelegateName: "Bo Berg", Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: now.Add(-300 * day), ValidTo: now.Add(20 * day), CreatedAt: now.Add(-300 * day),
		State: bk.DelegationActive, ChangedAt: now.Add(-300 * day)}
	if err := h.Store.Update(context.Background(), func(tx central.Tx) error { return tx.PutDelegation(d) }); err != nil {
		t.Fatal(err)
	}
	clk.Add(13 * day)
	tick(t, h)
	wantSent(t, "7 days before, no timers", rec)
	clk.Add(-13 * day)
	k.CitizenState(t, karen)
	k.CitizenState(t, karen)
	tick(t, h)
	wantSent(t, "after sign-in", rec) // the 30-day reminder's time had passed
	clk.Add(13 * day)
	tick(t, h)
	k.CitizenState(t, karen)
	tick(t, h)
	wantSent(t, "7 days before", rec, "karen@example.dk: Din fuldmagt slutter snart")
	clk.Add(7 * day)
	tick(t, h)
	wantSent(t, "the end", rec, "karen@example.dk: Din fuldmagt er slut")
}

// TestAddressLaterSendsWhatIsStillActionable: notices that found no
// address go out when the person gives one, if they can still act on them
// (an offer still pending, an end still ahead); old news stays unsent.
func TestAddressLaterSendsWhatIsStillActionable(t *testing.T) {
	h, k, rec, clk := startNotices(t)
	start := clk.Now()
	karen, bo, _, create := karenToBo(h, start, start, "tax")
	push := pushApplied(t, k)
	c := h.RequestConsent(t, "sundhed", cprKaren)
	push(create)
	tick(t, h)
	wantSent(t, "no addresses", rec)
	push(fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: c.ID}, karen, nil, clk.Now()))
	push(fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "bo@example.com", Language: bk.LangEnglish, EmailReminders: true}}, bo, nil, clk.Now()))
	tick(t, h)
	wantSent(t, "Bo gave an address", rec, "bo@example.com: You have been given a power of attorney")

	clk.Add(340 * 24 * time.Hour) // both 30-day reminders due, the consent's not yet ended
	tick(t, h)
	wantSent(t, "30 days before: Karen has no address, the offer has no reminders", rec)
	karenMail := fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "karen@example.dk", Language: bk.LangDanish, EmailReminders: true}}, karen, nil, clk.Now())
	push(karenMail)
	tick(t, h)
	// Not the request she has answered; the end still ahead.
	wantSent(t, "Karen gave an address", rec, "karen@example.dk: Dit samtykke slutter snart")
	push(fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "karen@example.dk", Language: bk.LangEnglish, EmailReminders: true}}, karen, nil, clk.Now()))
	tick(t, h)
	wantSent(t, "Karen changed her language", rec)
}

// TestOfferLapses: an offer never answered tells both people at its end
// that it lapsed; an answered one does not.
func TestOfferLapses(t *testing.T) {
	h, k, rec, clk := startNotices(t)
	start := clk.Now()
	karen, bo, _, create := karenToBo(h, start, start, "tax")
	push := pushApplied(t, k)
	push(setEmail(karen, "karen@example.dk", bk.LangDanish, start))
	push(setEmail(bo, "bo@example.com", bk.LangEnglish, start))
	push(create)
	answered := bk.NewID(start)
	delegate := bk.MustParseCPR(cprBo)
	push(fixture.Action(bk.CreateDelegation, bk.Payload{DelegationID: answered, Delegate: &delegate,
		Scopes: []bk.ScopeGrant{{ScopeID: "tax"}}, ValidFrom: start, ValidTo: start.AddDate(1, 0, 0)}, karen, nil, start))
	push(fixture.Action(bk.DeclineDelegation, bk.Payload{DelegationID: answered}, bo, nil, start))
	tick(t, h)
	rec.take()
	clk.Add(start.AddDate(1, 0, 0).Sub(start) - time.Minute)
	tick(t, h)
	wantSent(t, "a minute before", rec)
	clk.Add(time.Minute)
	tick(t, h)
	wantSent(t, "at the end", rec, "bo@example.com: A power of attorney never applied", "karen@example.dk: Din fuldmagt blev ikke til noget")
	clk.Add(24 * time.Hour)
	tick(t, h)
	wantSent(t, "a day after", rec)
}

// TestMessagesSayDatesInWords: a date in a message reads as in the kiosk's
// sentences ("til og med den 2. marts 2028"), the last day in force, and
// no CPR number is in it.
func TestMessagesSayDatesInWords(t *testing.T) {
	h, k, rec, clk := startNotices(t)
	start := clk.Now()
	karen, bo, id, create := karenToBo(h, start, start, "tax")
	push := pushApplied(t, k)
	push(setEmail(bo, "bo@example.com", bk.LangDanish, start))
	push(create)
	push(fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, bo, nil, start))
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2028, 3, 3, 0, 0, 0, 0, cph) // midnight: 2 March is the last day
	push(fixture.Action(bk.RenewDelegation, bk.Payload{DelegationID: id, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}}, ValidFrom: start, ValidTo: end}, karen, nil, start))
	rec.take()
	tick(t, h)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var bodies []string
	for _, m := range rec.got {
		bodies = append(bodies, m.Body)
	}
	all := strings.Join(bodies, "\n")
	if !strings.Contains(all, "Den gælder nu til og med den 2. marts 2028.") {
		t.Errorf("messages = %q; want the renewal's last day in words", bodies)
	}
	if strings.Contains(all, cprBo) || strings.Contains(all, cprKaren) || strings.Contains(all, cprKaren[:6]) {
		t.Errorf("messages = %q; hold a CPR number", bodies)
	}
}
