package central

import (
	"context"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// WebState is a short-lived record the relative's pages keep between
// requests (a sign-in in progress, a signed-in session), in the store so
// that any central process on the same store can answer the next request.
// Key is chosen by the caller: a digest of the secret the browser holds,
// never the secret itself.
type WebState struct {
	Kind      string    `json:"kind"`
	Key       string    `json:"key"`
	Value     []byte    `json:"value"`
	ExpiresAt time.Time `json:"expires_at"`
}

// WebStateTx is the part of Tx that keeps WebState records.
type WebStateTx interface {
	// PutWebState adds or replaces the record (Kind, Key); EInvalid when
	// either is empty.
	PutWebState(s *WebState) error
	// WebState returns the record (kind, key), or ENotFound. It may return
	// a record past its ExpiresAt: the caller checks expiry.
	WebState(kind, key string) (*WebState, error)
	// DeleteWebState removes a record; ENotFound if absent.
	DeleteWebState(kind, key string) error
	// CountWebState counts the records of kind whose ExpiresAt is after
	// now.
	CountWebState(kind string, now time.Time) (int, error)
	// DeleteWebStateBefore deletes records of every kind whose ExpiresAt is
	// before t, at most limit of them (limit <= 0: all), and returns how
	// many it deleted.
	DeleteWebStateBefore(t time.Time, limit int) (int, error)
}

// ErrWebStateFull is PutWebState's answer when kind already holds its most
// live records; the pages answer 503 with Retry-After rather than grow.
var ErrWebStateFull = bk.Errorf(bk.EUnavailable, "too many sign-ins in progress")

// PutWebState keeps value under (kind, key) until expires, unless kind
// already holds max live records (max <= 0: no bound). The count is read
// in a transaction of its own, so that sign-ins on many processes do not
// conflict over it; under a race the bound may be passed by the number of
// puts in flight.
func (s *Server) PutWebState(ctx context.Context, kind, key string, value []byte, expires time.Time, max int) error {
	if max > 0 {
		var n int
		err := s.store.View(ctx, func(tx Tx) error {
			var err error
			n, err = tx.CountWebState(kind, s.now())
			return err
		})
		if err != nil {
			return err
		}
		if n >= max {
			return ErrWebStateFull
		}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		return tx.PutWebState(&WebState{Kind: kind, Key: key, Value: value, ExpiresAt: expires})
	})
}

// GetWebState returns the value under (kind, key) and when it expires, or
// ENotFound; like Tx.WebState it may return an expired record.
func (s *Server) GetWebState(ctx context.Context, kind, key string) ([]byte, time.Time, error) {
	var w *WebState
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		w, err = tx.WebState(kind, key)
		return err
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return w.Value, w.ExpiresAt, nil
}

// TakeWebState removes the record (kind, key) and returns its value and
// expiry, or ENotFound. Of concurrent takes on any processes, one wins.
func (s *Server) TakeWebState(ctx context.Context, kind, key string) ([]byte, time.Time, error) {
	var w *WebState
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if w, err = tx.WebState(kind, key); err != nil {
			return err
		}
		return tx.DeleteWebState(kind, key)
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return w.Value, w.ExpiresAt, nil
}

// DeleteWebState removes the record (kind, key); an absent one is not an
// error.
func (s *Server) DeleteWebState(ctx context.Context, kind, key string) error {
	err := s.store.Update(ctx, func(tx Tx) error { return tx.DeleteWebState(kind, key) })
	if bk.ErrorCode(err) == bk.ENotFound {
		return nil
	}
	return err
}

// webStateSweepBatch is how many records one sweep transaction deletes.
const webStateSweepBatch = 1000

// SweepWebState deletes the web state that has expired by now and returns
// how many records. It runs every minute, on every
// process: the deletes are idempotent.
func (s *Server) SweepWebState(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := s.store.Update(ctx, func(tx Tx) error {
			var err error
			n, err = tx.DeleteWebStateBefore(s.now(), webStateSweepBatch)
			return err
		})
		total += n
		if err != nil || n < webStateSweepBatch {
			return total, err
		}
	}
}

// webStateSweepEvery is how often expired web state is deleted.
const webStateSweepEvery = time.Minute
