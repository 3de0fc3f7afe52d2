package sync

import (
	"context"
	"errors"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// wrongCard signs with a key that does not match its certificate.
type wrongCard struct{ *fixture.Card }

func (w wrongCard) Sign(ctx context.Context, d []byte) ([]byte, error) {
	return fixture.NewIssuer().Citizen("010180-1234", "x").Sign(ctx, d)
}

type deadCard struct{}

func (deadCard) Sign(context.Context, []byte) ([]byte, error) {
	return nil, bk.Errorf(bk.ENoCard, "no card")
}

func TestSign(t *testing.T) {
	iss := fixture.NewIssuer()
	p := newPeople(iss)
	now := time.Now()
	ctx := context.Background()
	grant, err := SignGrant(ctx, p.staff, p.staff.Cert.Encode(), "k1", now.Add(-time.Minute), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := bk.NewAction(bk.CreateDelegation, bk.Payload{DelegationID: bk.NewID(now)}, "k1", now)
	if err := Sign(ctx, a, p.principal, p.principal.Cert.Encode(), grant); err != nil {
		t.Fatal(err)
	}
	actor, staff, err := iss.Trust().VerifyAction(a)
	if err != nil || actor.Serial != p.principal.Cert.Serial || staff == nil || staff.StaffID != "S1" {
		t.Fatalf("VerifyAction(signed) = %v, %v, %v", actor, staff, err)
	}

	tests := []struct {
		name  string
		sign  func(*bk.Action) error
		wantC string
	}{
		{"staff card as actor", func(a *bk.Action) error { return Sign(ctx, a, p.staff, p.staff.Cert.Encode(), nil) }, bk.EWrongRole},
		{"card signs wrongly", func(a *bk.Action) error {
			return Sign(ctx, a, wrongCard{p.principal}, p.principal.Cert.Encode(), nil)
		}, bk.EBadSignature},
		{"card removed", func(a *bk.Action) error { return Sign(ctx, a, deadCard{}, p.principal.Cert.Encode(), nil) }, bk.ENoCard},
		{"grant for another kiosk", func(a *bk.Action) error {
			g, _ := SignGrant(ctx, p.staff, p.staff.Cert.Encode(), "k2", now.Add(-time.Minute), time.Hour)
			return Sign(ctx, a, p.principal, p.principal.Cert.Encode(), g)
		}, bk.EForbidden},
		{"bad certificate", func(a *bk.Action) error { return Sign(ctx, a, p.principal, []byte("junk"), nil) }, bk.EInvalid},
	}
	for _, tt := range tests {
		a, _ := bk.NewAction(bk.RevokeDelegation, bk.Payload{DelegationID: bk.NewID(now)}, "k1", now)
		err := tt.sign(a)
		var be *bk.Error
		if !errors.As(err, &be) || be.Code != tt.wantC && !(tt.name == "bad certificate" && err != nil) {
			t.Errorf("%s: Sign = %v; want code %s", tt.name, err, tt.wantC)
		}
	}
	if _, err := SignGrant(ctx, p.principal, p.principal.Cert.Encode(), "k1", now, time.Hour); bk.ErrorCode(err) != bk.EWrongRole {
		t.Fatalf("SignGrant(citizen card) = %v; want %s", err, bk.EWrongRole)
	}
}
