package sync

import (
	"context"
	"crypto/ed25519"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// SignGrant has a staff card sign a grant saying its holder assists at kiosk
// from now for d (at most bk.MaxAssist). A kiosk has one card slot, so staff
// sign the grant before the citizen inserts their card; Sign then attaches
// it to each action, under the citizen's signature.
func SignGrant(ctx context.Context, staff bk.Signer, staffCert []byte, kiosk string, now time.Time, d time.Duration) (*bk.Assist, error) {
	cert, err := bk.DecodeCertificate(staffCert)
	if err != nil {
		return nil, err
	}
	if cert.Role != bk.RoleStaff {
		return nil, bk.Errorf(bk.EWrongRole, "Only a staff card can sign as assisting.")
	}
	if d <= 0 || d > bk.MaxAssist {
		d = bk.MaxAssist
	}
	g := bk.NewAssist(staffCert, kiosk, now, d)
	sig, err := staff.Sign(ctx, g.Digest())
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(cert.CardKey, g.Digest(), sig) {
		return nil, bk.Errorf(bk.EBadSignature, "The staff card's signature does not match its certificate.")
	}
	g.Signature = sig
	return g, nil
}

// Sign fills in a's actor fields and has the actor's card sign it. With a
// staff grant (from SignGrant) the grant is attached first, so the
// citizen's signature covers it. The signature is checked against the
// certificate's key, so a card that signs wrongly is caught here, not at
// central.
func Sign(ctx context.Context, a *bk.Action, actor bk.Signer, actorCert []byte, grant *bk.Assist) error {
	cert, err := bk.DecodeCertificate(actorCert)
	if err != nil {
		return err
	}
	if cert.Role != bk.RoleCitizen {
		return bk.Errorf(bk.EWrongRole, "Only a citizen card can sign a citizen's action.")
	}
	if grant != nil {
		if grant.Kiosk != a.Kiosk || a.OccurredAt.Before(grant.NotBefore) || a.OccurredAt.After(grant.NotAfter) {
			return bk.Errorf(bk.EForbidden, "The staff member's assistance has ended; staff must sign in again.")
		}
	}
	a.Assist = grant
	a.ActorSerial = cert.Serial
	a.ActorCert = actorCert
	sig, err := actor.Sign(ctx, a.Digest())
	if err != nil {
		a.ActorSignature = nil
		return err
	}
	if !ed25519.Verify(cert.CardKey, a.Digest(), sig) {
		return bk.Errorf(bk.EBadSignature, "The card's signature does not match its certificate.")
	}
	a.ActorSignature = sig
	return nil
}
