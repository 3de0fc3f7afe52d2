package storetest

// Concurrent Updates that read a record and then write it, as a push does:
// each would lose an update or apply something twice if the store ran them
// with nothing but READ COMMITTED (no row locks, no check that a key read as
// absent is still absent).

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// concurrently runs fn(w) for workers w = 0…n-1 at once and fails on the
// first error.
func concurrently(t *testing.T, n int, fn func(w int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(w); err != nil {
				errs <- fmt.Errorf("worker %d: %w", w, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// barrier lets n workers' first attempts meet after their reads, so that
// all of them have read before any writes: the race is then certain, not
// left to timing. A store whose reads wait for each other would never
// let them all arrive; they go on after a minute.
type barrier struct {
	wg   sync.WaitGroup
	done chan struct{}
	once sync.Once
}

func newBarrier(n int) *barrier {
	b := &barrier{done: make(chan struct{})}
	b.wg.Add(n)
	go func() { b.wg.Wait(); b.once.Do(func() { close(b.done) }) }()
	return b
}

// racers is how many workers race at a barrier: no more than a store's
// smallest connection pool (pgxpool's is 4), or the last would wait for a
// connection and never arrive.
const racers = 4

// meet is called by each worker once, on its first attempt.
func (b *barrier) meet() {
	b.wg.Done()
	select {
	case <-b.done:
	case <-time.After(time.Minute):
	}
}

// race runs one Update per racer at once; fn calls meet after its reads,
// which on a first attempt waits for the other racers' reads.
func race(t *testing.T, s central.Store, fn func(w int, tx central.Tx, meet func()) error) {
	t.Helper()
	b := newBarrier(racers)
	concurrently(t, racers, func(w int) error {
		first := true
		meet := func() {
			if first {
				first = false
				b.meet()
			}
		}
		return s.Update(ctx, func(tx central.Tx) error { return fn(w, tx, meet) })
	})
}

// testConcurrentTargets runs read-change-write on one consent and one
// delegation from several Updates at once, half of them announcing the
// reads with Prefetch: no change may be lost.
func testConcurrentTargets(t *testing.T, s central.Store) {
	c := consent("sundhed", cprA)
	d := delegation(cprA, cprB)
	update(t, s, func(tx central.Tx) error {
		if err := tx.PutConsent(c); err != nil {
			return err
		}
		return tx.PutDelegation(d)
	})
	const workers, each = 8, 10
	concurrently(t, workers, func(w int) error {
		for i := range each {
			mark := fmt.Sprintf("w%d-%d", w, i)
			err := s.Update(ctx, func(tx central.Tx) error {
				if w%2 == 0 {
					if err := tx.Prefetch(central.Keys{Consents: []string{c.ID}, Delegations: []string{d.ID}}); err != nil {
						return err
					}
				}
				got, err := tx.Consent(c.ID)
				if err != nil {
					return err
				}
				got.DataCategories = append(got.DataCategories, mark)
				if err := tx.PutConsent(got); err != nil {
					return err
				}
				dd, err := tx.Delegation(d.ID)
				if err != nil {
					return err
				}
				dd.Scopes = append(dd.Scopes, bk.ScopeGrant{ScopeID: mark})
				return tx.PutDelegation(dd)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Consent(c.ID)
		if err != nil {
			return err
		}
		dd, err := tx.Delegation(d.ID)
		if err != nil {
			return err
		}
		if n := len(got.DataCategories) - 1; n != workers*each {
			t.Errorf("consent after %d concurrent changes has %d of them; want all (lost updates)", workers*each, n)
		}
		if n := len(dd.Scopes) - 1; n != workers*each {
			t.Errorf("delegation after %d concurrent changes has %d of them; want all (lost updates)", workers*each, n)
		}
		return nil
	})
}

// testConcurrentCreate has several Updates find a consent absent at once
// and create it, each noting that it did (in a push cursor of its own):
// exactly one may have created it, the others must run again and find it.
func testConcurrentCreate(t *testing.T, s central.Store) {
	id := bk.NewID(T0)
	race(t, s, func(w int, tx central.Tx, meet func()) error {
		if w%2 == 0 {
			if err := tx.Prefetch(central.Keys{Consents: []string{id}}); err != nil {
				return err
			}
		}
		_, err := tx.Consent(id)
		meet()
		if err == nil {
			return nil // someone else created it
		}
		if bk.ErrorCode(err) != bk.ENotFound {
			return err
		}
		c := consent("sundhed", cprA)
		c.ID = id
		c.DataCategories = []string{fmt.Sprint(w)}
		if err := tx.PutConsent(c); err != nil {
			return err
		}
		return tx.SetPushCursor("created", fmt.Sprint(w), 1)
	})
	view(t, s, func(tx central.Tx) error {
		var creators []int
		for w := range racers {
			if n, _ := tx.PushCursor("created", fmt.Sprint(w)); n == 1 {
				creators = append(creators, w)
			}
		}
		if len(creators) != 1 {
			t.Errorf("workers that created the consent: %v; want exactly one", creators)
			return nil // no Fatal inside a transaction: it would never end
		}
		got, err := tx.Consent(id)
		if err != nil {
			return err
		}
		if want := fmt.Sprint(creators[0]); len(got.DataCategories) != 1 || got.DataCategories[0] != want {
			t.Errorf("consent's data = %v; want the creator's [%s] (a later create overwrote it)", got.DataCategories, want)
		}
		return nil
	})
}

// testConcurrentActionID has several incarnations of one kiosk push the
// same action at once, as push does it: each looks the action id up and
// applies the action only when it is not there. Exactly one may apply it.
func testConcurrentActionID(t *testing.T, s central.Store) {
	id := bk.NewID(T0)
	race(t, s, func(w int, tx central.Tx, meet func()) error {
		inc := fmt.Sprint("inc", w)
		last, err := tx.PushCursor("k", inc)
		if err != nil {
			return err
		}
		if w%2 == 0 {
			err := tx.Prefetch(central.Keys{ActionIDs: []string{id}, Kiosk: "k", Incarnation: inc, Seqs: []uint64{last + 1}})
			if err != nil {
				return err
			}
		}
		_, err = tx.ActionByID(id)
		meet()
		outcome := bk.Applied
		if err == nil {
			outcome = bk.Duplicate
		} else if bk.ErrorCode(err) != bk.ENotFound {
			return err
		}
		if err := tx.PutAction(record("k", inc, last+1, id, outcome)); err != nil {
			return err
		}
		return tx.SetPushCursor("k", inc, last+1)
	})
	view(t, s, func(tx central.Tx) error {
		var applied []int
		for w := range racers {
			r, err := tx.ActionAt("k", fmt.Sprint("inc", w), 1)
			if err != nil {
				return err
			}
			if r.Verdict.Outcome == bk.Applied {
				applied = append(applied, w)
			}
		}
		if len(applied) != 1 {
			t.Errorf("incarnations that applied the action: %v; want exactly one", applied)
		}
		return nil
	})
}

// testConcurrentPushes runs pushes of one new kiosk incarnation at once:
// each reads the cursor, stores the action in the next slot and moves the
// cursor. Every push must land in its own slot, none lost, none refused.
func testConcurrentPushes(t *testing.T, s central.Store) {
	const workers, each = 8, 10
	concurrently(t, workers, func(w int) error {
		for range each {
			err := s.Update(ctx, func(tx central.Tx) error {
				last, err := tx.PushCursor("k", "fresh")
				if err != nil {
					return err
				}
				if w%2 == 0 {
					if err := tx.Prefetch(central.Keys{Kiosk: "k", Incarnation: "fresh", Seqs: []uint64{last + 1}}); err != nil {
						return err
					}
				}
				if err := tx.PutAction(record("k", "fresh", last+1, "", bk.Applied)); err != nil {
					return err
				}
				return tx.SetPushCursor("k", "fresh", last+1)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		n, err := tx.PushCursor("k", "fresh")
		if err != nil {
			return err
		}
		rs, err := tx.Actions("k", "fresh", 0, 0)
		if err != nil {
			return err
		}
		if n != workers*each || len(rs) != workers*each {
			t.Errorf("after %d concurrent pushes: cursor %d, %d actions; want %d and %d", workers*each, n, len(rs), workers*each, workers*each)
		}
		return nil
	})
}

// testPrefetched checks that reads and puts after Prefetch answer as they
// do without it: of keys absent when fetched (and then written in the same
// Update), and of keys present.
func testPrefetched(t *testing.T, s central.Store) {
	c, d := consent("sundhed", cprA), delegation(cprA, cprB)
	r := record("k", "i", 1, "", bk.Applied)
	e := handover.TypedEntry{Code: "K7M4XQ9P2R", DelegationID: d.ID, IssuedAt: T0, ExpiresAt: T0.Add(time.Hour)}
	other := e
	other.DelegationID = bk.NewID(T0.Add(time.Second))
	codes := handover.CodeRecord{Used: map[string]bool{"0102030405060708": true}, LatestIssued: T0}
	keys := central.Keys{
		Consents: []string{c.ID, "none"}, Delegations: []string{d.ID, "none"}, HandoverCodes: []string{d.ID, "none"},
		ActionIDs: []string{r.Action.ID, "none"}, Revocations: []string{"S1", "S2"}, TypedCodes: []string{e.Code, "K7M4XQ9P2S"},
		Kiosk: "k", Incarnation: "i", Seqs: []uint64{1, 2},
	}
	reads := func(tx central.Tx, what string, puts bool) {
		t.Helper()
		got, err := tx.Consent(c.ID)
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("%s: Consent = %v, %v", what, got, err)
		}
		gd, err := tx.Delegation(d.ID)
		if err != nil || !reflect.DeepEqual(gd, d) {
			t.Errorf("%s: Delegation = %v, %v", what, gd, err)
		}
		if rec, err := tx.HandoverCodes(d.ID); err != nil || !reflect.DeepEqual(rec, codes) {
			t.Errorf("%s: HandoverCodes = %+v, %v", what, rec, err)
		}
		for _, lookup := range []func() (*central.ActionRecord, error){
			func() (*central.ActionRecord, error) { return tx.ActionAt("k", "i", 1) },
			func() (*central.ActionRecord, error) { return tx.ActionByID(r.Action.ID) },
		} {
			if got, err := lookup(); err != nil || got.Seq != 1 || got.Action.ID != r.Action.ID {
				t.Errorf("%s: action lookup = %v, %v", what, got, err)
			}
		}
		if got, err := tx.TypedCode(e.Code); err != nil || !got.Same(e) {
			t.Errorf("%s: TypedCode = %+v, %v", what, got, err)
		}
		if _, err := tx.Revocation("S1"); err != nil {
			t.Errorf("%s: Revocation(S1) = %v", what, err)
		}
		if cs, err := tx.ConsentsByCPR(cprA); err != nil || len(cs) != 1 {
			t.Errorf("%s: ConsentsByCPR = %d, %v; want the one put", what, len(cs), err)
		}
		_, err1 := tx.Consent("none")
		_, err2 := tx.Delegation("none")
		_, err3 := tx.ActionAt("k", "i", 2)
		_, err4 := tx.ActionByID("none")
		_, err5 := tx.Revocation("S2")
		_, err6 := tx.TypedCode("K7M4XQ9P2S")
		for i, err := range []error{err1, err2, err3, err4, err5, err6} {
			wantCode(t, fmt.Sprintf("%s: absent lookup %d", what, i), err, bk.ENotFound)
		}
		if !puts {
			return
		}
		wantCode(t, what+": PutAction(taken slot)", tx.PutAction(r), bk.EConflict)
		wantCode(t, what+": PutTypedCode(taken code)", tx.PutTypedCode(other), bk.EConflict)
		if err := tx.PutTypedCode(e); err != nil {
			t.Errorf("%s: PutTypedCode(same again) = %v", what, err)
		}
		moved := *c
		moved.CPR = cprB
		wantCode(t, what+": PutConsent(another CPR)", tx.PutConsent(&moved), bk.EInvalid)
	}
	update(t, s, func(tx central.Tx) error {
		if err := tx.Prefetch(keys); err != nil {
			return err
		}
		for _, err := range []error{
			tx.PutConsent(c), tx.PutDelegation(d), tx.PutHandoverCodes(d.ID, codes), tx.PutAction(r),
			tx.PutTypedCode(e), tx.Revoke(central.Revocation{Serial: "S1", RevokedAt: T0}),
		} {
			if err != nil {
				return err
			}
		}
		reads(tx, "same Update", true)
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		if err := tx.Prefetch(keys); err != nil {
			return err
		}
		reads(tx, "next Update", true)
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		reads(tx, "View", false)
		return nil
	})
}
