package session

import (
	"context"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/receipt"
)

// proof returns a proof of presence for one request to central: the one
// left from sign-in if unused, else the card signs a fresh central nonce
// (nonces are single use).
func (s *Session) proof(ctx context.Context, cert *bk.Certificate) (*bk.CitizenAuth, error) {
	s.mu.Lock()
	auth := s.auth
	s.auth = nil
	s.mu.Unlock()
	if auth != nil {
		return auth, nil
	}
	nonce, err := s.svc.deps.Central.Nonce(ctx)
	if err != nil {
		return nil, unavailable(err)
	}
	sig, err := s.svc.deps.Reader.Sign(ctx, bk.AuthChallenge(nonce))
	if err != nil {
		return nil, err
	}
	return &bk.CitizenAuth{Nonce: nonce, Cert: cert.Encode(), Signature: sig}, nil
}

// live makes one card-authorised request to central for the session,
// within StateTimeout.
func (s *Session) live(ctx context.Context, call func(ctx context.Context, auth bk.CitizenAuth) error) error {
	cert, _, _, err := s.snapshot()
	if err != nil {
		return err
	}
	if s.svc.deps.Central == nil {
		return bk.Errorf(bk.EUnavailable, "The central service cannot be reached right now.")
	}
	ctx, cancel := context.WithTimeout(ctx, s.svc.cfg.StateTimeout)
	defer cancel()
	auth, err := s.proof(ctx, cert)
	if err != nil {
		return err
	}
	if err := call(ctx, *auth); err != nil {
		return unavailable(err)
	}
	return nil
}

// UsageLog implements bk.Session. Like State it is fetched live and kept
// nowhere: the screen holds the page it shows until the session ends.
func (s *Session) UsageLog(ctx context.Context, before string, limit int) (*bk.UsageLog, error) {
	var l *bk.UsageLog
	err := s.live(ctx, func(ctx context.Context, auth bk.CitizenAuth) (err error) {
		l, err = s.svc.deps.Central.UsageLog(ctx, auth, before, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, _, _, err := s.snapshot(); err != nil {
		return nil, err // the card left while central answered
	}
	return l, nil
}

// PrintUsage implements bk.Session: the statement is of the whole log
// (the last 15 months), fetched a page at a time, up to
// bk.MaxUsageStatement records (under a minute of printing).
func (s *Session) PrintUsage(ctx context.Context) (bk.Receipt, error) {
	l, err := bk.UsageStatement(func(before string) (*bk.UsageLog, error) { return s.UsageLog(ctx, before, bk.MaxUsagePage) })
	if err != nil {
		return bk.Receipt{}, err
	}
	c, _, lang, err := s.snapshot()
	if err != nil {
		return bk.Receipt{}, err
	}
	r := s.base(lang, s.svc.cfg.Now())
	r.Usage = l
	job, err := receipt.UsageStatement(r, s.svc.cfg.Printer)
	text, _ := receipt.UsageStatementText(r)
	s.svc.log.Info("usage statement", "serial", c.Serial, "records", len(l.Records), "more", l.Next != "")
	return s.print(ctx, "usage statement", lang, text, job, err), nil
}
