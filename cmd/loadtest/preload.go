package main

// -preload-citizens / -preload-consents: a national-size registry under the
// checks, loaded with COPY straight into central's tables before the run.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Preload says what was loaded before the run.
type Preload struct {
	Citizens    int     `json:"citizens"`
	Consents    int     `json:"consents"`
	Delegations int     `json:"delegations"`
	Seconds     float64 `json:"seconds"`
}

// preloadAuthorities share the loaded consents, so the checks' authority
// (sundhed) holds a fifth of them.
var preloadAuthorities = []string{consentAuthority, delegAuthority, "kommune", "politi", "udbetaling"}

// preloadCPR is the n-th loaded citizen: born 1950 or later, so none is
// one of the run's own (cprN, born in the 1940s).
func preloadCPR(n int) bk.CPR {
	day := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/4000)
	return bk.MustParseCPR(day.Format("020106") + fmt.Sprintf("-%04d", n%4000))
}

// template is a record's JSON with its id and CPR numbers swapped per row.
type template struct {
	doc      []byte
	id, a, b []byte // placeholders in doc
}

func (t template) fill(id string, a, b bk.CPR) []byte {
	d := bytes.Replace(t.doc, t.id, []byte(id), 1)
	d = bytes.Replace(d, t.a, []byte(a.Full()), -1)
	if t.b != nil {
		d = bytes.Replace(d, t.b, []byte(b.Full()), -1)
	}
	return d
}

func newTemplate(v any, id string, a, b bk.CPR) (template, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return template{}, err
	}
	t := template{doc: doc, id: []byte(id), a: []byte(a.Full())}
	if !b.IsZero() {
		t.b = []byte(b.Full())
	}
	for _, p := range [][]byte{t.id, t.a, t.b} {
		if p != nil && !bytes.Contains(doc, p) {
			return template{}, fmt.Errorf("preload: %q is not in the record's JSON %s", p, doc)
		}
	}
	return t, nil
}

// rowSource feeds CopyFrom rows i = from…to-1 made by row.
type rowSource struct {
	i, to int
	row   func(i int) []any
	cur   []any
}

func (s *rowSource) Next() bool {
	if s.i >= s.to {
		return false
	}
	s.cur = s.row(s.i)
	s.i++
	return true
}
func (s *rowSource) Values() ([]any, error) { return s.cur, nil }
func (s *rowSource) Err() error             { return nil }

// preload COPYs o.PreloadConsents consents, spread over o.PreloadCitizens
// citizens and five authorities, and one delegation per citizen (to the
// next citizen) into central's tables, with the CPR index digests central
// computes (HMAC-SHA256 under the database's index key), then ANALYZEs.
func preload(ctx context.Context, pool *pgxpool.Pool, o *Options, progress func(string, ...any)) (Preload, error) {
	start := time.Now()
	var key []byte
	if err := pool.QueryRow(ctx, `SELECT value FROM meta WHERE name = 'index-key'`).Scan(&key); err != nil {
		return Preload{}, fmt.Errorf("preload: central's index key: %w", err)
	}
	cits := o.PreloadCitizens
	hashes := make([][]byte, cits)
	for i := range hashes {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(preloadCPR(i).Digits()))
		hashes[i] = m.Sum(nil)
	}
	now := time.Now().UTC()
	tplID, cprA, cprB := bk.NewID(now), preloadCPR(0), preloadCPR(1)
	c := bk.NewConsent(tplID, consentAuthority, &bk.ConsentRequest{
		CPR: cprA, Purpose: bk.Text{DA: "Behandling af helbredsoplysninger", EN: "Processing of health data"},
		DataCategories: []string{consentCategory}, LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365,
	}, now)
	ct, err := newTemplate(c, tplID, cprA, bk.CPR{})
	if err != nil {
		return Preload{}, err
	}
	d := &bk.Delegation{ID: tplID, Principal: cprA, PrincipalName: "Indlæst Borger", Delegate: cprB,
		Scopes: []bk.ScopeGrant{{ScopeID: delegScope}}, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		CreatedVia: bk.ViaSelf, CreatedAt: now, State: bk.DelegationActive, ChangedAt: now, ChangedBy: tplID}
	dt, err := newTemplate(d, tplID, cprA, cprB)
	if err != nil {
		return Preload{}, err
	}
	copyRows := func(table string, cols []string, n int, row func(i int) []any) error {
		// Two connections at once: the machine's two cores.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for part := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[part] = pool.CopyFrom(ctx, pgx.Identifier{table}, cols, &rowSource{i: part * n / 2, to: (part + 1) * n / 2, row: row})
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	progress("preload: %d consents of %d citizens (COPY)", o.PreloadConsents, cits)
	err = copyRows("consents", []string{"id", "cpr_hash", "authority_id", "doc"}, o.PreloadConsents, func(i int) []any {
		n := i % cits
		id := bk.NewID(now)
		return []any{id, hashes[n], preloadAuthorities[(i/cits)%len(preloadAuthorities)], string(ct.fill(id, preloadCPR(n), bk.CPR{}))}
	})
	if err != nil {
		return Preload{}, fmt.Errorf("preload consents: %w", err)
	}
	progress("preload: %d delegations (COPY)", cits)
	err = copyRows("delegations", []string{"id", "principal_hash", "delegate_hash", "doc"}, cits, func(i int) []any {
		j := (i + 1) % cits
		id := bk.NewID(now)
		return []any{id, hashes[i], hashes[j], string(dt.fill(id, preloadCPR(i), preloadCPR(j)))}
	})
	if err != nil {
		return Preload{}, fmt.Errorf("preload delegations: %w", err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE consents, delegations`); err != nil {
		return Preload{}, fmt.Errorf("preload: analyze: %w", err)
	}
	return Preload{Citizens: cits, Consents: o.PreloadConsents, Delegations: cits, Seconds: time.Since(start).Seconds()}, nil
}
