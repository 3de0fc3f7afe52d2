package sync

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// Test identities. The delegate's CPR is the one the encryption test looks
// for in the data directory.
const (
	principalCPR = "010180-1234"
	delegateCPR  = "020285-4321"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// people is a principal card and a staff card from one issuer.
type people struct {
	issuer    *fixture.Issuer
	principal *fixture.Card
	staff     *fixture.Card
}

func newPeople(iss *fixture.Issuer) *people {
	if iss == nil {
		iss = fixture.NewIssuer()
	}
	return &people{
		issuer:    iss,
		principal: iss.Citizen(principalCPR, "Karen Jensen"),
		staff:     iss.Staff("030370-1111", "Ole Staff", "S1"),
	}
}

// delegation makes a signed create_delegation action that central applies.
func (p *people) delegation(kiosk string, now time.Time) *bk.Action {
	d := bk.MustParseCPR(delegateCPR)
	from := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	pl := bk.Payload{
		DelegationID: bk.NewID(now),
		Delegate:     &d,
		Scopes:       []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom:    from,
		ValidTo:      from.Add(365 * 24 * time.Hour),
	}
	a, err := bk.NewAction(bk.CreateDelegation, pl, kiosk, now)
	if err != nil {
		panic(err)
	}
	return fixture.SignAction(a, p.principal, p.staff)
}

// mustOpen opens an outbox in a fresh directory with maintenance off.
func mustOpen(tb testing.TB, dir string, opts Options) *Outbox {
	tb.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	if opts.MaintenanceInterval == 0 {
		opts.MaintenanceInterval = -1
	}
	o, err := Open(dir, opts)
	if err != nil {
		tb.Fatalf("Open(%s) = %v", dir, err)
	}
	tb.Cleanup(func() { o.Close() })
	return o
}

func seqs(items []bk.PushItem) string {
	s := ""
	for _, it := range items {
		s += fmt.Sprintf("%d,", it.Seq)
	}
	return s
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
