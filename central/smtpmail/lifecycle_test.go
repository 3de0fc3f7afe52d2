package smtpmail_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/smtpmail"
	"github.com/borgerkiosk/borgerkiosk/demo"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// clock is central's injected clock, moved by the test.
// centralProc is one run of central on a store directory, as cmd/central
// runs it: stopping it and starting another on the same directory is a
// restart.
type centralProc struct {
	srv   *central.Server
	store *badgerstore.Store
}

type world struct {
	t      *testing.T
	dir    string
	key    ed25519.PrivateKey
	issuer *fixture.Issuer
	clock  *fixture.Clock
	logs   *testtool.Buffer
	port   int
	cur    *centralProc
	seq    uint64
}

func (w *world) start() {
	w.t.Helper()
	st, err := badgerstore.Open(w.dir, badgerstore.Options{})
	if err != nil {
		w.t.Fatal(err)
	}
	cat, err := demo.Catalogue()
	if err != nil {
		w.t.Fatal(err)
	}
	m, err := smtpmail.New(smtpmail.Config{Host: "127.0.0.1", Port: w.port, TLS: smtpmail.TLSNone,
		From: "Borgerkiosken <noreply@kommune.example.dk>", Timeout: 500 * time.Millisecond})
	if err != nil {
		w.t.Fatal(err)
	}
	srv, err := central.New(central.Config{
		Store: st, Key: w.key, Catalogue: cat, Issuers: []bk.IssuerKey{w.issuer.PublicKey()},
		Now: w.clock.Now, Logger: slog.New(slog.NewTextHandler(w.logs, nil)),
		Notices: central.NoticeConfig{Channels: []central.Channel{m}, Every: -1,
			RetryBase: time.Minute, RetryMax: 10 * time.Minute, MaxAttempts: 5},
	})
	if err != nil {
		st.Close()
		w.t.Fatal(err)
	}
	w.cur = &centralProc{srv: srv, store: st}
}

func (w *world) stop() {
	if w.cur != nil {
		w.cur.srv.Close()
		w.cur.store.Close()
		w.cur = nil
	}
}

func (w *world) push(a *bk.Action) {
	w.t.Helper()
	w.seq++
	r, err := w.cur.srv.Push(context.Background(), fixture.KioskID, &bk.PushRequest{Kiosk: fixture.KioskID, Incarnation: "i",
		Actions: []bk.PushItem{{Seq: w.seq, Hash: a.ContentHash(), Action: a}}})
	if err != nil || len(r.Verdicts) != 1 || r.Verdicts[0].Outcome != bk.Applied {
		w.t.Fatalf("push %s = %+v, %v; want applied", a.Kind, r, err)
	}
}

// run scans and dispatches twice, as two ticks would: the second must find
// nothing new.
func (w *world) run() {
	w.t.Helper()
	n := w.cur.srv.Notifier()
	ctx := context.Background()
	for range 2 {
		if _, err := n.Scan(ctx); err != nil {
			w.t.Fatalf("Scan: %v", err)
		}
		if _, err := n.Dispatch(ctx); err != nil {
			w.t.Fatalf("Dispatch: %v", err)
		}
	}
}

// notices returns the stored notices in state.
func (w *world) notices(state central.NoticeState) []*central.Notice {
	w.t.Helper()
	var list []*central.Notice
	err := w.cur.store.View(context.Background(), func(tx central.Tx) error {
		var err error
		list, err = tx.NoticesIn(state, "", 0)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// TestDelegationLifeNotices drives central's clock through a delegation's
// whole life — offered, accepted, an area ending (30 and 7 days before,
// ended), the delegation ending (30 and 7 days before, ended) — and checks
// that every message arrives once, in the person's language, with no CPR
// number: with the SMTP server busy, answering too late, restarted, and
// central restarted in the middle. The delegate turned reminders off, so
// they hear of changes and ends but get no "ends in" reminders.
func TestDelegationLifeNotices(t *testing.T) {
	box := newMailbox()
	smtpSrv := startSMTP(t, box, "")
	start := time.Now().UTC().Truncate(time.Second)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	w := &world{t: t, dir: t.TempDir(), key: key, issuer: fixture.NewIssuer(), clock: fixture.NewClock(start), logs: &testtool.Buffer{}, port: smtpSrv.Port}
	w.start()
	t.Cleanup(w.stop)
	day := 24 * time.Hour
	at := func() time.Time { return w.clock.Now() }

	karen := w.issuer.Citizen("010190-1234", "Karen Larsen")
	bo := w.issuer.Citizen("020285-4321", "Bo Berg")
	w.push(fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "karen@example.dk", Language: bk.LangDanish, EmailReminders: true}}, karen, nil, at()))
	w.push(fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "bo@example.com", Language: bk.LangEnglish, EmailReminders: false}}, bo, nil, at()))
	delegate := bk.MustParseCPR("020285-4321")
	id := bk.NewID(at())
	taxEnds, ends := start.Add(50*day), start.Add(90*day)
	w.push(fixture.Action(bk.CreateDelegation, bk.Payload{DelegationID: id, Delegate: &delegate, DelegateName: "Bo Berg",
		Scopes:    []bk.ScopeGrant{{ScopeID: "tax", Until: taxEnds}, {ScopeID: "pension"}},
		ValidFrom: start, ValidTo: ends}, karen, nil, at()))
	w.run()

	w.clock.Add(day)
	w.push(fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, bo, nil, at()))
	w.run()

	// Day 20: the area's 30-day reminder, while the mail server says "later".
	box.set(func(string) mode { return busy })
	w.clock.Add(19 * day)
	w.run()
	if got := len(box.all()); got != 2 {
		t.Fatalf("after a busy server: %d messages; want the 2 of before", got)
	}
	// Both restart: the notice waits in the store, its retry time with it.
	smtpSrv.stop()
	w.stop()
	box.set(func(string) mode { return accept })
	startSMTP(t, box, smtpSrv.Addr) // the same address: central's config does not change
	w.start()
	w.run() // not yet: the retry is a minute on
	if got := len(box.all()); got != 2 {
		t.Fatalf("before the retry time: %d messages; want 2", got)
	}
	w.clock.Add(2 * time.Minute)
	w.run()

	// Day 43: the 7-day reminder; the server keeps it but answers too late,
	// so central sends it again (same Message-ID) after its backoff.
	box.set(func(string) mode { return stall })
	w.clock.Add(23*day - 2*time.Minute)
	w.run()
	box.set(func(string) mode { return accept })
	w.clock.Add(2 * time.Minute)
	w.run()

	for _, d := range []time.Duration{7 * day, 10 * day, 23 * day, 7 * day} { // day 50, 60, 83, 90
		w.clock.Add(d)
		w.run()
		if d == 10*day { // a restart between two steps loses nothing and repeats nothing
			w.stop()
			w.start()
			w.run()
		}
	}
	close(box.wake)

	type mail struct{ to, subject string }
	want := []mail{
		{"bo@example.com", "You have been given a power of attorney"},
		{"karen@example.dk", "Din fuldmagt gælder nu"},
		{"karen@example.dk", "En del af din fuldmagt slutter snart"}, // 30 days
		{"karen@example.dk", "En del af din fuldmagt slutter snart"}, // 7 days
		{"karen@example.dk", "En del af din fuldmagt er slut"},
		{"bo@example.com", "Part of a power of attorney has ended"},
		{"karen@example.dk", "Din fuldmagt slutter snart"}, // 30 days
		{"karen@example.dk", "Din fuldmagt slutter snart"}, // 7 days
		{"karen@example.dk", "Din fuldmagt er slut"},
		{"bo@example.com", "A power of attorney has ended"},
	}
	seen := map[string]received{}
	var got []mail
	copies := 0
	for _, m := range box.all() {
		if first, ok := seen[m.MessageID]; ok {
			copies++
			if first != m {
				t.Errorf("two messages with Message-ID %s differ:\n%+v\n%+v", m.MessageID, first, m)
			}
			continue
		}
		seen[m.MessageID] = m
		got = append(got, mail{m.To, m.Subject})
		for _, cpr := range []string{"010190", "020285", "1234", "4321"} {
			if strings.Contains(m.Body, cpr) || strings.Contains(m.Subject, cpr) {
				t.Errorf("message %q holds %q of a CPR number:\n%s", m.Subject, cpr, m.Body)
			}
		}
		if wantLang := map[string]string{"bo@example.com": "en", "karen@example.dk": "da"}[m.To]; m.Language != wantLang {
			t.Errorf("message %q to %s in %q; want %q", m.Subject, m.To, m.Language, wantLang)
		}
	}
	// Order within one step is the notices' (by id), so compare as sets.
	byText := func(l []mail) []string {
		var out []string
		for _, m := range l {
			out = append(out, m.to+": "+m.subject)
		}
		sort.Strings(out)
		return out
	}
	if fmt.Sprint(byText(got)) != fmt.Sprint(byText(want)) {
		t.Errorf("messages, once each:\n%q\nwant\n%q", byText(got), byText(want))
	}
	// The one the server kept but answered too late came twice, as one
	// message (its Message-ID); no other came twice.
	if copies != 1 {
		t.Errorf("%d second copies; want 1 (the late answer's)", copies)
	}
	seven := ""
	for _, m := range seen {
		if m.To == "karen@example.dk" && strings.Contains(m.Body, "slutter om 1 uge") && strings.Contains(m.Body, "Bo Berg") {
			seven = m.Body
		}
	}
	if seven == "" {
		t.Errorf("no 7-day reminder to Karen names Bo Berg and says \"slutter om 1 uge\"")
	}
	if n := w.notices(central.NoticePending); len(n) != 0 {
		t.Errorf("%d notices still pending; want none", len(n))
	}
	if n := w.notices(central.NoticeSent); len(n) != len(want) {
		t.Errorf("%d notices sent; want %d", len(n), len(want))
	}
	// Bo's reminders: found, but no channel may take them.
	if n := w.notices(central.NoticeUnreachable); len(n) != 4 {
		t.Errorf("%d notices unreachable; want Bo's 4 reminders", len(n))
	}
	if n := w.notices(central.NoticeDead); len(n) != 0 {
		t.Errorf("dead letters: %+v; want none", n)
	}
	if logs := w.logs.String(); strings.Contains(logs, "karen@example.dk") || strings.Contains(logs, "bo@example.com") {
		t.Errorf("central logged an address in full:\n%s", logs)
	}
}
