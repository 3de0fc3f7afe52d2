package centraltest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

// BenchSize is how much a benchmark loads: full (the size), a
// hundredth of it under -short, or what the environment variable env says.
func BenchSize(env string, full int) int {
	if v, err := strconv.Atoi(os.Getenv(env)); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return full / 100
	}
	return full
}

// BenchCPR is the n-th of up to 1.4 million distinct adult CPR numbers,
// all born in 1940 (none of the tests' named people).
func BenchCPR(n int) bk.CPR {
	day := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/4000)
	return bk.MustParseCPR(day.Format("020106") + fmt.Sprintf("-%04d", n%4000)) // seventh digit 0–3: 19xx
}

// BenchAuthorities give the loaded consents in turn; each asks about a
// category the demo catalogue lets it request.
var BenchAuthorities = []struct{ ID, Category string }{
	{"sundhed", "health"}, {"skat", "tax"}, {"udbetaling", "income"}, {"kobenhavn", "housing"}, {"star", "employment"},
}

// BenchData is what LoadBench loaded, to pick the targets of lookups and
// checks.
type BenchData struct {
	Consents    []*bk.Consent
	Delegations []*bk.Delegation
}

// LoadBench puts consents and delegations into st through the store
// itself, in transactions of 1,000, from four goroutines. Four consents
// per citizen (by different authorities), given, for a year; delegations
// from citizen 2i to citizen 2i+1, active for a year, with the scopes tax,
// health (ending in six months) and housing.
func LoadBench(tb testing.TB, st central.Store, consents, delegations int, now time.Time) *BenchData {
	tb.Helper()
	d := &BenchData{Consents: make([]*bk.Consent, consents), Delegations: make([]*bk.Delegation, delegations)}
	for i := range d.Consents {
		a := BenchAuthorities[i%len(BenchAuthorities)]
		c := bk.NewConsent(bk.NewID(now), a.ID, &bk.ConsentRequest{
			CPR: BenchCPR(i / 4), Purpose: bk.Text{DA: "Formål", EN: "Purpose"}, DataCategories: []string{a.Category},
			LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365,
		}, now.Add(-time.Hour))
		c.State, c.GivenAt, c.ValidUntil, c.ChangedAt = bk.ConsentGiven, now.Add(-time.Hour), now.AddDate(1, 0, 0), now.Add(-time.Hour)
		d.Consents[i] = c
	}
	for i := range d.Delegations {
		d.Delegations[i] = &bk.Delegation{
			ID: bk.NewID(now), Principal: BenchCPR(2 * i), PrincipalName: "Karen Larsen", Delegate: BenchCPR(2*i + 1), DelegateName: "Bo Berg",
			Scopes:    []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health", Until: now.AddDate(0, 6, 0)}, {ScopeID: "housing"}},
			ValidFrom: now.Add(-time.Hour), ValidTo: now.AddDate(1, 0, 0), CreatedVia: bk.ViaSelf, CreatedAt: now, State: bk.DelegationActive, ChangedAt: now,
		}
	}
	type job struct{ from, to int }
	jobs := make(chan job)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				err := st.Update(context.Background(), func(tx central.Tx) error {
					for i := j.from; i < j.to; i++ {
						var err error
						if i < consents {
							err = tx.PutConsent(d.Consents[i])
						} else {
							err = tx.PutDelegation(d.Delegations[i-consents])
						}
						if err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	start := time.Now()
	for from := 0; from < consents+delegations; from += 1000 {
		to := min(from+1000, consents+delegations)
		if from < consents && to > consents {
			to = consents // a transaction holds one kind
		}
		select {
		case jobs <- job{from, to}:
		case err := <-errs:
			close(jobs)
			wg.Wait()
			tb.Fatal(err)
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		tb.Fatal(err)
	default:
	}
	tb.Logf("loaded %d consents and %d delegations in %v", consents, delegations, time.Since(start).Round(time.Second))
	return d
}
