package tokenexchange

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Broker is the national eID broker whose ID tokens services send as
// subject tokens (the same OpenID provider as the handover pages' sign-in).
type Broker struct {
	Issuer   string // discovered at the first exchange, not at start
	CPRClaim string // ID token claim holding the CPR number; default "cpr"
}

// delegateIdentity is what a verified subject token says.
type delegateIdentity struct {
	CPR     bk.CPR
	Subject string // the broker's sub for the delegate
}

// errBrokerDown is a failed discovery: the exchange answers
// temporarily_unavailable, not invalid_grant.
var errBrokerDown = errors.New("the eID broker cannot be reached")

// brokerVerifier verifies subject tokens with go-oidc. The provider is
// discovered at the first exchange, so that an eID outage never keeps
// central from starting (as with the handover sign-in); a failed
// discovery is retried after brokerRetry.
type brokerVerifier struct {
	cfg Broker
	now func() time.Time

	mu    sync.Mutex
	v     *oidc.IDTokenVerifier
	retry time.Time
}

const (
	brokerTimeout = 10 * time.Second
	brokerRetry   = 30 * time.Second
)

func (b *brokerVerifier) verifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.v != nil {
		return b.v, nil
	}
	if time.Now().Before(b.retry) {
		return nil, errBrokerDown
	}
	ctx, cancel := context.WithTimeout(ctx, brokerTimeout)
	defer cancel()
	p, err := oidc.NewProvider(ctx, b.cfg.Issuer)
	if err != nil {
		b.retry = time.Now().Add(brokerRetry)
		return nil, fmt.Errorf("%w: discovering %s: %v", errBrokerDown, b.cfg.Issuer, err)
	}
	// The audience is the service the delegate signed in to, not central:
	// verify checks it against the client's own broker client ids.
	b.v = p.Verifier(&oidc.Config{SkipClientIDCheck: true, Now: b.now})
	return b.v, nil
}

// verify checks a subject token: signed by the broker, issued by it, not
// expired, for one of audiences, from a sign-in that used a nonce, naming
// a valid CPR number. Errors other than errBrokerDown say why the token is
// refused, for the log.
func (b *brokerVerifier) verify(ctx context.Context, raw string, audiences []string) (*delegateIdentity, error) {
	v, err := b.verifier(ctx)
	if err != nil {
		return nil, err
	}
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(idt.Audience, func(a string) bool { return slices.Contains(audiences, a) }) {
		return nil, fmt.Errorf("the ID token is for %q, not for this client", idt.Audience)
	}
	// The broker checks nothing of a token without a nonce against the
	// sign-in that asked for it; the service's own sign-in must use one.
	if idt.Nonce == "" {
		return nil, errors.New("the ID token has no nonce")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, err
	}
	text, _ := claims[b.cfg.CPRClaim].(string)
	cpr, err := bk.ParseCPR(text, b.now())
	if err != nil {
		return nil, fmt.Errorf("claim %q holds no valid CPR number", b.cfg.CPRClaim)
	}
	return &delegateIdentity{CPR: cpr, Subject: idt.Subject}, nil
}
