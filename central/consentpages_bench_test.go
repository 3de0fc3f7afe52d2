package central_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/demo"
)

// BenchmarkConsentList asks central over HTTP for one page of an authority's
// consents (100, from a cursor in the middle) on a store holding
// BK_BENCH_LIST_CONSENTS (60,000) of them, and, in the same loop, what the
// endpoint answered before paging: the whole list, read and encoded (the
// baseline). It reports both times and sizes and their ratios.
func BenchmarkConsentList(b *testing.B) {
	n := benchSize("BK_BENCH_LIST_CONSENTS", 60_000)
	for _, sc := range benchStores {
		st := sc.open(b)
		now := time.Now().UTC()
		var ids []string
		for from := 0; from < n; from += 1000 {
			err := st.Update(context.Background(), func(tx central.Tx) error {
				ids = ids[:from]
				for i := from; i < min(from+1000, n); i++ {
					c := bk.NewConsent(bk.NewID(now), "sundhed", &bk.ConsentRequest{CPR: benchCPR(i),
						Purpose: bk.Text{DA: "Invitation til vaccination", EN: "Vaccination invitation"}, DataCategories: []string{"health"},
						LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365}, now)
					ids = append(ids, c.ID)
					if err := tx.PutConsent(c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		cat, err := demo.Catalogue()
		if err != nil {
			b.Fatal(err)
		}
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		srv, err := central.New(central.Config{Store: st, Key: key, Catalogue: cat, Logger: slog.New(slog.DiscardHandler),
			Authorities: []central.AuthorityCredential{{ID: "sundhed", TokenHash: bk.TokenHash("bench-token")}}})
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		get := func(query string) (int, time.Duration) {
			req, _ := http.NewRequest("GET", hs.URL+"/v1/authority/consent-requests"+query, nil)
			req.Header.Set("Authorization", "Bearer bench-token")
			t0 := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("GET %s = %d %v", query, resp.StatusCode, err)
			}
			return len(body), time.Since(t0)
		}
		// The answer before paging: the whole list, read and encoded.
		whole := func() (int, time.Duration) {
			t0 := time.Now()
			list, err := srv.AuthorityConsents(context.Background(), "sundhed", bk.CPR{})
			if err != nil {
				b.Fatal(err)
			}
			raw, err := json.Marshal(bk.ConsentList{Consents: list})
			if err != nil || len(list) != n {
				b.Fatalf("whole list = %d consents, %v; want %d", len(list), err, n)
			}
			return len(raw), time.Since(t0)
		}
		mid := "?limit=100&cursor=" + url.QueryEscape(central.ConsentCursor(sortedIDs(ids)[n/2]))
		b.Run(sc.name, func(b *testing.B) {
			var tPage, tWhole time.Duration
			var pageBytes, wholeBytes int
			for i := 0; i < b.N; i++ {
				var d time.Duration
				pageBytes, d = get(mid)
				tPage += d
				wholeBytes, d = whole()
				tWhole += d
			}
			b.ReportMetric(float64(tPage.Microseconds())/float64(b.N)/1000, "page-ms")
			b.ReportMetric(float64(tWhole.Microseconds())/float64(b.N)/1000, "whole-ms")
			b.ReportMetric(tWhole.Seconds()/tPage.Seconds(), "whole/page")
			b.ReportMetric(float64(pageBytes), "page-bytes")
			b.ReportMetric(float64(wholeBytes), "whole-bytes")
		})
		hs.Close()
		srv.Close()
		st.Close()
	}
}

func sortedIDs(ids []string) []string {
	out := append([]string{}, ids...)
	slices.Sort(out)
	return out
}
