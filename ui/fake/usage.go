package fake

import (
	"context"
	"sort"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// usageLog is the fake central's usage log: copies of each record in the
// log of every person it concerns, as central keeps them.
type usageLog struct {
	byCPR map[bk.CPR][]*bk.UsageRecord
	last  time.Time // of the newest record: ids must sort by time, and the test clock stands still
}

// RecordUsage puts rec in the usage logs of principal and (when not "")
// delegate, as central does for every check and token exchange, and
// returns its id. An empty ID or At is filled in.
func (k *Kiosk) RecordUsage(principal, delegate string, rec bk.UsageRecord) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.recordUsageLocked(principal, delegate, rec)
}

func (k *Kiosk) recordUsageLocked(principal, delegate string, rec bk.UsageRecord) string {
	if k.usage.byCPR == nil {
		k.usage.byCPR = map[bk.CPR][]*bk.UsageRecord{}
	}
	if rec.At.IsZero() {
		rec.At = k.now()
	}
	if !rec.At.After(k.usage.last) {
		rec.At = k.usage.last.Add(time.Millisecond)
	}
	k.usage.last = rec.At
	if rec.ID == "" {
		rec.ID = bk.NewID(rec.At)
	}
	p := rec
	p.Role = bk.UsagePrincipal
	k.usage.byCPR[bk.MustParseCPR(principal)] = append(k.usage.byCPR[bk.MustParseCPR(principal)], &p)
	if delegate != "" {
		d := rec
		d.Role = bk.UsageDelegate
		k.usage.byCPR[bk.MustParseCPR(delegate)] = append(k.usage.byCPR[bk.MustParseCPR(delegate)], &d)
	}
	return rec.ID
}

// CheckConsent plays an authority's consent check: the answer is yes when
// a consent given to the authority covers category now. It is recorded in
// the citizen's usage log.
func (k *Kiosk) CheckConsent(authority, cpr, category, purpose string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	rec := bk.UsageRecord{Kind: bk.UsageConsentCheck, Authority: authority, DataCategory: category, Purpose: purpose, Answer: bk.UsageDenied}
	for _, c := range byID(k.consents) {
		if c.CPR == bk.MustParseCPR(cpr) && c.Covers(authority, category, k.now()) {
			rec.Answer, rec.ConsentID = bk.UsageAllowed, c.ID
			break
		}
	}
	k.recordUsageLocked(cpr, "", rec)
	return rec.Answer == bk.UsageAllowed
}

// CheckDelegation plays an authority's delegation check: yes when an
// active delegation lets delegate act for principal in scope now. It goes
// into both people's usage logs, with their names when any delegation
// between them is known.
func (k *Kiosk) CheckDelegation(authority, principal, delegate, scope, purpose string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	rec := bk.UsageRecord{Kind: bk.UsageDelegationCheck, Authority: authority, Scope: scope, Purpose: purpose, Answer: bk.UsageDenied}
	p, d := bk.MustParseCPR(principal), bk.MustParseCPR(delegate)
	for _, g := range byID(k.delegations) {
		if g.Principal != p || g.Delegate != d {
			continue
		}
		rec.PrincipalName, rec.DelegateName = g.PrincipalName, g.DelegateName
		for _, s := range g.ActiveScopes(k.now()) {
			if s == scope {
				rec.Answer, rec.DelegationID = bk.UsageAllowed, g.ID
			}
		}
		if rec.Answer == bk.UsageAllowed {
			break
		}
	}
	k.recordUsageLocked(principal, delegate, rec)
	return rec.Answer == bk.UsageAllowed
}

// UsageLog implements bk.Session.
func (s *Session) UsageLog(ctx context.Context, before string, limit int) (*bk.UsageLog, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = bk.DefaultUsagePage
	}
	if limit < 1 || limit > bk.MaxUsagePage {
		return nil, bk.Errorf(bk.EInvalid, "limit must be between 1 and %d", bk.MaxUsagePage)
	}
	if before != "" && !bk.ValidID(before) {
		return nil, bk.Errorf(bk.EInvalid, "before must be a record id from an earlier page")
	}
	k := s.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.online {
		return nil, bk.Errorf(bk.EUnavailable, "The central service cannot be reached.")
	}
	var all []*bk.UsageRecord
	for _, r := range k.usage.byCPR[s.cert.CPR] {
		if before == "" || r.ID < before {
			cp := *r
			all = append(all, &cp)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID > all[j].ID })
	l := &bk.UsageLog{Records: all, FetchedAt: k.now()}
	if len(all) > limit {
		l.Records = all[:limit]
		l.Next = all[limit-1].ID
	}
	return l, nil
}

// PrintUsage implements bk.Session.
func (s *Session) PrintUsage(ctx context.Context) (bk.Receipt, error) {
	l, err := bk.UsageStatement(func(before string) (*bk.UsageLog, error) { return s.UsageLog(ctx, before, bk.MaxUsagePage) })
	if err != nil {
		return bk.Receipt{}, err
	}
	lang := s.language()
	title := map[string]string{"da": "Hvem har brugt dine oplysninger", "en": "Who has used your information"}[lang]
	lines := []string{s.words()["title"], title, s.cert.Name + " " + s.cert.CPR.Masked()}
	cat := s.k.Catalogue()
	for _, r := range l.Records {
		lines = append(lines, r.At.Format("02.01.2006 15:04")+" "+strings.TrimSuffix(r.Sentence(lang, "", cat), "."))
	}
	rec := s.k.printer.print(lines, lines)
	rec.Lang = lang
	return rec, nil
}
