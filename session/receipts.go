package session

import (
	"context"
	"slices"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/receipt"
)

// base fills in what every receipt says: which kiosk, when, for whom, and
// who helped.
func (s *Session) base(lang string, at time.Time) receipt.Receipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := receipt.Receipt{
		Lang: lang, Kiosk: s.svc.cfg.KioskID, Site: s.svc.cfg.Site, At: at,
		Catalogue: s.svc.Catalogue(), Zone: s.svc.cfg.Zone,
	}
	if s.cert != nil {
		r.Person = receipt.Person{Name: s.cert.Name, CPR: s.cert.CPR}
	}
	if s.assist != nil {
		r.AssistedBy = s.assist.Staff.Name
	}
	return r
}

// print sends a job to the printer. A failure is reported, never fatal: the
// action it is for is already saved.
func (s *Session) print(ctx context.Context, what, lang, text string, job []byte, err error) bk.Receipt {
	if err == nil {
		err = s.svc.deps.Printer.Print(ctx, job)
	}
	if err != nil {
		s.svc.log.Warn("receipt not printed", "what", what, "err", err)
		if bk.ErrorCode(err) == bk.EInternal {
			err = bk.Errorf(bk.EUnavailable, "The receipt could not be printed.")
		}
		return bk.Receipt{Err: err, Text: text, Lang: lang}
	}
	return bk.Receipt{Printed: true, Text: text, Lang: lang}
}

// printAction prints the receipt of a saved action. The kiosk never claims
// more than it knows: the receipt says pending until central has answered.
func (s *Session) printAction(ctx context.Context, a *bk.Action, p bk.Payload, next, before bk.Target, lang string, now time.Time, res bk.Result) bk.Receipt {
	r := s.base(lang, a.OccurredAt)
	r.Kind, r.ActionID = a.Kind, a.ID
	r.Status = receipt.Status{State: receipt.Pending}
	if !res.Pending {
		r.Status = receipt.StatusOf(res.Verdict)
	}
	r.Consent, r.Delegation = next.Consent, next.Delegation
	if r.Consent == nil {
		r.Consent = before.Consent
	}
	if r.Delegation == nil {
		r.Delegation = before.Delegation
	}
	if a.Kind.OnContact() {
		r.Contact = p.Contact
	}
	if r.Delegation == nil && a.Kind.OnDelegation() {
		// Not known at the kiosk (offline): print what the action itself says.
		d := &bk.Delegation{ID: p.DelegationID, Scopes: p.Scopes, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo}
		if p.Delegate != nil {
			d.Delegate = *p.Delegate
		}
		r.Delegation = d
	}
	if r.Consent == nil && a.Kind.OnConsent() {
		r.Consent = &bk.Consent{ID: p.ConsentID}
	}
	job, err := receipt.Action(r, s.svc.cfg.Printer)
	text, _ := receipt.ActionText(r)
	return s.print(ctx, string(a.Kind), lang, text, job, err)
}

// printSlip prints a handover slip with its QR code.
func (s *Session) printSlip(ctx context.Context, d *bk.Delegation, h bk.Handover, lang string, now time.Time) bk.Receipt {
	r := s.base(lang, now)
	r.Delegation = d
	r.Handover = &receipt.Handover{URL: h.Code, Expires: h.Expires, Typed: h.Typed, TypedAddress: h.TypedAddress}
	if s.atCentral(d.ID) {
		r.Status = receipt.Status{State: receipt.Confirmed}
	}
	job, err := receipt.HandoverSlip(r, s.svc.cfg.Printer)
	text, _ := receipt.HandoverSlipText(r)
	return s.print(ctx, "handover slip", lang, text, job, err)
}

// atCentral reports whether central is known to hold delegation id, so the
// slip need not say "pending".
func (s *Session) atCentral(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.confirmed[id] {
		return true
	}
	if s.state == nil {
		return false
	}
	if _, local := s.created[id]; local {
		return false
	}
	for _, d := range s.state.GivenByMe {
		if d.ID == id {
			return true
		}
	}
	return false
}

// printOverview prints everything the session knows about the person.
func (s *Session) printOverview(ctx context.Context, lang string, now time.Time) error {
	r := s.base(lang, now)
	s.mu.Lock()
	st := &bk.CitizenState{}
	if s.state != nil {
		cp := *s.state
		st = &cp
		if s.fresh {
			// Only an unchanged fetch may say it came from central.
			r.Status.State = receipt.Confirmed
		}
	}
	for _, d := range s.created {
		known := false
		for _, g := range st.GivenByMe {
			known = known || g.ID == d.ID
		}
		if !known {
			st.GivenByMe = append(st.GivenByMe, d)
		}
	}
	s.mu.Unlock()
	// Central lists by id; the ones made here join in the same order (ids
	// are UUIDv7, so by time), not in a map's random one.
	slices.SortStableFunc(st.GivenByMe, func(a, b *bk.Delegation) int { return strings.Compare(a.ID, b.ID) })
	r.Arrangements = st
	r.Proof = s.overviewProof(ctx, r.Status.State == receipt.Confirmed)
	job, err := receipt.Overview(r, s.svc.cfg.Printer)
	if res := s.print(ctx, "overview", lang, "", job, err); res.Err != nil {
		return res.Err
	}
	return nil
}

// overviewProof asks central to sign the overview about to print, when
// what it prints is central's state unchanged (fresh); otherwise, or when
// central cannot be asked, the paper says why it has no QR.
func (s *Session) overviewProof(ctx context.Context, fresh bool) *receipt.Proof {
	if !fresh || s.svc.cfg.HandoverBaseURL == "" {
		return &receipt.Proof{Offline: true}
	}
	var path string
	err := s.live(ctx, func(ctx context.Context, auth bk.CitizenAuth) (err error) {
		path, err = s.svc.deps.Central.OverviewToken(ctx, auth)
		return err
	})
	if err != nil {
		s.svc.log.Info("overview printed without proof", "err", err)
		return &receipt.Proof{Offline: bk.ErrorCode(err) == bk.EUnavailable}
	}
	return &receipt.Proof{URL: strings.ToUpper(strings.TrimRight(s.svc.cfg.HandoverBaseURL, "/")) + path}
}

// PrintReminder implements bk.Session.
func (s *Session) PrintReminder(ctx context.Context, m bk.Reminder) (bk.Receipt, error) {
	_, _, lang, err := s.snapshot()
	if err != nil {
		return bk.Receipt{}, err
	}
	r := s.base(lang, s.svc.cfg.Now())
	r.Reminder = &m
	doc, err := receipt.ReminderDoc(r)
	if err != nil {
		return bk.Receipt{}, err
	}
	job, err := doc.ESCPOS(s.svc.cfg.Printer)
	return s.print(ctx, "reminder", lang, doc.Text(), job, err), nil
}
