package storetest

// Concurrent Updates that read a record and then write it, as a push does:
// each would lose an update or apply something twice if the store ran them
// with nothing but READ COMMITTED (no row locks, no check that a key read as
// absent is still absent).

import (
	"fmt"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
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
