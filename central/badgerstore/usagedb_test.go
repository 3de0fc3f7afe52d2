package badgerstore_test

import (
	"context"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
)

var usageCPR = bk.MustParseCPR("010190-1234")

func usageRecord(i int) central.UsageEntry {
	now := time.Now().UTC()
	return central.UsageEntry{Principal: usageCPR, Record: &bk.UsageRecord{ID: bk.NewID(now), At: now, Kind: bk.UsageConsentCheck,
		Authority: "skat", DataCategory: "tax", Purpose: fmt.Sprintf("check %d", i), Answer: bk.UsageAllowed}}
}

// TestUsageMovesToItsDatabase checks that a store whose usage log is in
// the main database (as before dir/usage) finds it there after Open, and
// that Open moved it: the main database keeps none.
func TestUsageMovesToItsDatabase(t *testing.T) {
	dir := t.TempDir()
	old, err := badgerstore.OpenSharedUsage(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := usageRecord(1)
	if err := old.Update(context.Background(), func(tx central.Tx) error { return tx.PutUsage([]central.UsageEntry{e}) }); err != nil {
		t.Fatal(err)
	}
	old.Close()
	count := func(s *badgerstore.Store) int {
		var n int
		if err := s.View(context.Background(), func(tx central.Tx) error {
			l, err := tx.Usage(usageCPR, "", 0)
			n = len(l)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	s, err := badgerstore.Open(dir, badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(s); n != 1 {
		t.Errorf("after Open the usage log has %d records; want the 1 from before", n)
	}
	// The sweep finds it through its time index, which moved too.
	if err := s.Update(context.Background(), func(tx central.Tx) error {
		n, err := tx.DeleteUsageBefore(time.Now().Add(time.Hour), 0)
		if n != 1 {
			t.Errorf("DeleteUsageBefore = %d; want 1", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	old, err = badgerstore.OpenSharedUsage(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if n := count(old); n != 0 {
		t.Errorf("the main database still has %d usage records", n)
	}
}

// BenchmarkLookupWhileRecording measures a consent lookup (View +
// tx.Consent) with no usage being written and while a writer commits
// batches of 64 usage records (SyncWrites), as central's usage log does
// under checks, for the usage log in its own database and, as the
// baseline in the same run, in the main one. Steps rotate per iteration.
func BenchmarkLookupWhileRecording(b *testing.B) {
	type layout struct {
		name string
		st   *badgerstore.Store
	}
	var layouts []layout
	for _, name := range []string{"own-db", "shared-db"} {
		var st *badgerstore.Store
		var err error
		if name == "own-db" {
			st, err = badgerstore.Open(b.TempDir(), badgerstore.Options{})
		} else {
			st, err = badgerstore.OpenSharedUsage(b.TempDir())
		}
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		layouts = append(layouts, layout{name, st})
	}
	const consents = 2000
	ids := make([]string, consents)
	now := time.Now()
	for _, l := range layouts {
		if err := l.st.Update(context.Background(), func(tx central.Tx) error {
			for i := range ids {
				if l.name == "own-db" {
					ids[i] = bk.NewID(now)
				}
				c := bk.NewConsent(ids[i], "skat", &bk.ConsentRequest{CPR: usageCPR, Purpose: bk.Text{DA: "F", EN: "P"},
					DataCategories: []string{"tax"}, LegalBasis: bk.Text{DA: "S", EN: "C"}, ValidDays: 30}, now)
				if err := tx.PutConsent(c); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	const lookups = 100
	lookup := func(st *badgerstore.Store, i int) time.Duration {
		t0 := time.Now()
		for j := range lookups {
			id := ids[(i*lookups+j)%consents]
			if err := st.View(context.Background(), func(tx central.Tx) error { _, err := tx.Consent(id); return err }); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(t0)
	}
	recording := func(st *badgerstore.Store, fn func()) {
		var stop atomic.Bool
		var wg gosync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				es := make([]central.UsageEntry, 64)
				for k := range es {
					es[k] = usageRecord(n*64 + k)
				}
				if err := st.Update(context.Background(), func(tx central.Tx) error { return tx.PutUsage(es) }); err != nil {
					b.Error(err)
					return
				}
			}
		}()
		time.Sleep(time.Millisecond) // the writer is under way
		fn()
		stop.Store(true)
		wg.Wait()
	}
	var total [4]time.Duration // own idle, own recording, shared idle, shared recording
	for i := 0; i < b.N; i++ {
		for k := range 4 {
			j := (i + k) % 4
			st := layouts[j/2].st
			if j%2 == 0 {
				total[j] += lookup(st, i)
			} else {
				recording(st, func() { total[j] += lookup(st, i) })
			}
		}
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N*lookups) }
	b.ReportMetric(per(total[0]), "own-idle-µs")
	b.ReportMetric(per(total[1]), "own-recording-µs")
	b.ReportMetric(per(total[2]), "shared-idle-µs")
	b.ReportMetric(per(total[3]), "shared-recording-µs")
	b.ReportMetric(float64(total[1])/float64(total[0]), "own-recording/idle")
	b.ReportMetric(float64(total[3])/float64(total[2]), "shared-recording/idle")
}
