package smtpmail_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/central/smtpmail"
	"github.com/borgerkiosk/borgerkiosk/demo"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

// TestMain stops the PostgreSQL cluster pgtest may start.
func TestMain(m *testing.M) { pgtest.Main(m) }

// TestReplicasSendOnce runs two central processes on one PostgreSQL, both
// scanning and dispatching at once: every notice is found and sent once.
// Central was "down" for most of the delegation's life, so only the
// nearer (7-day) reminder goes, not the 30-day one as well.
func TestReplicasSendOnce(t *testing.T) {
	box := newMailbox()
	smtpSrv := startSMTP(t, box, "")
	dsn := pgtest.NewSchema(t)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	issuer := fixture.NewIssuer()
	start := time.Now().UTC().Truncate(time.Second)
	clk := fixture.NewClock(start)
	cat, err := demo.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	var srvs []*central.Server
	for range 2 {
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		m, err := smtpmail.New(smtpmail.Config{Host: "127.0.0.1", Port: smtpSrv.Port, TLS: smtpmail.TLSNone, From: "noreply@kommune.example.dk"})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := central.New(central.Config{Store: st, Key: key, Catalogue: cat, Issuers: []bk.IssuerKey{issuer.PublicKey()},
			Now: clk.Now, Logger: slog.New(slog.DiscardHandler),
			Notices: central.NoticeConfig{Channels: []central.Channel{m}, Every: -1, Batch: 2}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		srvs = append(srvs, srv)
	}
	karen := issuer.Citizen("010190-1234", "Karen Larsen")
	bo := issuer.Citizen("020285-4321", "Bo Berg")
	delegate := bk.MustParseCPR("020285-4321")
	id := bk.NewID(start)
	actions := []*bk.Action{
		fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "karen@example.dk", Language: bk.LangDanish, EmailReminders: true}}, karen, nil, start),
		fixture.Action(bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "bo@example.com", Language: bk.LangEnglish, EmailReminders: true}}, bo, nil, start),
		fixture.Action(bk.CreateDelegation, bk.Payload{DelegationID: id, Delegate: &delegate, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
			ValidFrom: start, ValidTo: start.Add(60 * 24 * time.Hour)}, karen, nil, start),
		fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, bo, nil, start),
	}
	for i, a := range actions {
		r, err := srvs[i%2].Push(context.Background(), fixture.KioskID, &bk.PushRequest{Kiosk: fixture.KioskID, Incarnation: "i",
			Actions: []bk.PushItem{{Seq: uint64(i + 1), Hash: a.ContentHash(), Action: a}}})
		if err != nil || r.Verdicts[0].Outcome != bk.Applied {
			t.Fatalf("push %s = %+v, %v", a.Kind, r, err)
		}
	}
	clk.Add(55 * 24 * time.Hour) // past both reminders' times: 5 days left
	var wg sync.WaitGroup
	for _, srv := range srvs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if _, err := srv.Notifier().Scan(context.Background()); err != nil {
					t.Errorf("Scan: %v", err)
				}
				if _, err := srv.Notifier().Dispatch(context.Background()); err != nil {
					t.Errorf("Dispatch: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	var got []string
	for _, m := range box.all() {
		got = append(got, m.To+": "+m.Subject)
	}
	sort.Strings(got)
	want := []string{
		"bo@example.com: A power of attorney ends soon",
		"bo@example.com: You have been given a power of attorney",
		"karen@example.dk: Din fuldmagt gælder nu",
		"karen@example.dk: Din fuldmagt slutter snart",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("messages:\n%q\nwant\n%q", got, want)
	}
}
