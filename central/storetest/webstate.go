package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

// testWebState checks the pages' short-lived records: put, replace, read,
// delete, counted by kind while live, and swept by central's clock (a
// store must not expire them by its own).
func testWebState(t *testing.T, s central.Store) {
	at := T0.Truncate(time.Millisecond)
	flow := &central.WebState{Kind: "signin", Key: "k1", Value: []byte(`{"next":"/H/X"}`), ExpiresAt: at.Add(10 * time.Minute)}
	sess := &central.WebState{Kind: "session", Key: "k1", Value: []byte{0, 1, 2, 255}, ExpiresAt: at.Add(15 * time.Minute)}
	old := &central.WebState{Kind: "signin", Key: "k0", Value: []byte("old"), ExpiresAt: at.Add(-time.Minute)}
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutWebState(no kind)", tx.PutWebState(&central.WebState{Key: "x", ExpiresAt: at}), bk.EInvalid)
		wantCode(t, "PutWebState(no key)", tx.PutWebState(&central.WebState{Kind: "x", ExpiresAt: at}), bk.EInvalid)
		for _, w := range []*central.WebState{flow, sess, old} {
			if err := tx.PutWebState(w); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		for _, w := range []*central.WebState{flow, sess, old} {
			got, err := tx.WebState(w.Kind, w.Key)
			if err != nil {
				t.Errorf("WebState(%s, %s) = %v", w.Kind, w.Key, err)
				continue
			}
			if got.Kind != w.Kind || got.Key != w.Key || string(got.Value) != string(w.Value) || !got.ExpiresAt.Equal(w.ExpiresAt) {
				t.Errorf("WebState(%s, %s) = %+v; want %+v", w.Kind, w.Key, got, w)
			}
		}
		_, err := tx.WebState("signin", "nope")
		wantCode(t, "WebState(absent)", err, bk.ENotFound)
		_, err = tx.WebState("other", "k1")
		wantCode(t, "WebState(other kind)", err, bk.ENotFound)
		for _, c := range []struct {
			kind string
			now  time.Time
			want int
		}{{"signin", at, 1}, {"signin", at.Add(-2 * time.Minute), 2}, {"session", at, 1}, {"signin", at.Add(10 * time.Minute), 0}, {"none", at, 0}} {
			if n, err := tx.CountWebState(c.kind, c.now); err != nil || n != c.want {
				t.Errorf("CountWebState(%s, %v) = %d, %v; want %d", c.kind, c.now.Sub(at), n, err, c.want)
			}
		}
		return nil
	})
	// Replacing moves the expiry: the sweep then keeps the record.
	longer := *old
	longer.Value, longer.ExpiresAt = []byte("renewed"), at.Add(time.Hour)
	update(t, s, func(tx central.Tx) error { return tx.PutWebState(&longer) })
	update(t, s, func(tx central.Tx) error {
		if n, err := tx.DeleteWebStateBefore(at.Add(12*time.Minute), 0); err != nil || n != 1 {
			t.Errorf("DeleteWebStateBefore(+12m) = %d, %v; want 1 (the sign-in)", n, err)
		}
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		_, err := tx.WebState("signin", "k1")
		wantCode(t, "WebState(swept)", err, bk.ENotFound)
		if got, err := tx.WebState("signin", "k0"); err != nil || string(got.Value) != "renewed" {
			t.Errorf("WebState(replaced) = %+v, %v; want the renewed record", got, err)
		}
		if _, err := tx.WebState("session", "k1"); err != nil {
			t.Errorf("WebState(session) after the sweep = %v; want it kept", err)
		}
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		if err := tx.DeleteWebState("session", "k1"); err != nil {
			return err
		}
		wantCode(t, "DeleteWebState(again)", tx.DeleteWebState("session", "k1"), bk.ENotFound)
		// A limit bounds one sweep; the rest go in the next.
		for _, k := range []string{"a", "b", "c"} {
			if err := tx.PutWebState(&central.WebState{Kind: "signin", Key: k, ExpiresAt: at.Add(time.Minute)}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, want := range []int{2, 2, 0} {
		update(t, s, func(tx central.Tx) error {
			if n, err := tx.DeleteWebStateBefore(at.Add(2*time.Hour), 2); err != nil || n != want {
				t.Errorf("DeleteWebStateBefore(limit 2) = %d, %v; want %d", n, err, want)
			}
			return nil
		})
	}
	view(t, s, func(tx central.Tx) error {
		if n, err := tx.CountWebState("signin", at.Add(-time.Hour)); err != nil || n != 0 {
			t.Errorf("CountWebState after sweeping all = %d, %v; want 0", n, err)
		}
		return nil
	})
}

// testWebStateTakeOnce checks that of many concurrent takes (read, then
// delete, in one Update) of one record, exactly one succeeds: a sign-in
// state is used once, whichever central process the callback reaches.
func testWebStateTakeOnce(t *testing.T, s central.Store) {
	update(t, s, func(tx central.Tx) error {
		return tx.PutWebState(&central.WebState{Kind: "signin", Key: "once", Value: []byte("v"), ExpiresAt: T0.Add(time.Hour)})
	})
	const workers = 8
	var won atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(tx central.Tx) error {
				if _, err := tx.WebState("signin", "once"); err != nil {
					return err
				}
				return tx.DeleteWebState("signin", "once")
			})
			switch bk.ErrorCode(err) {
			case "":
				won.Add(1)
			case bk.ENotFound:
			default:
				t.Errorf("take: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := won.Load(); n != 1 {
		t.Errorf("%d concurrent takes of one record: %d succeeded; want 1", workers, n)
	}
}
