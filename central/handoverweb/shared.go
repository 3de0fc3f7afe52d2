package handoverweb

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Shared is where the pages keep what must outlive one request, for every
// central process on the same store to read: central's Server (its web
// state, central/webstate.go). Records are named by a digest of the secret
// the browser holds (the sign-in state, the session cookie), so a copy of
// the store opens no session.
type Shared interface {
	// PutWebState keeps value under (kind, key) until expires; when kind
	// holds max live records already it keeps nothing and returns an
	// error with code bk.EUnavailable.
	PutWebState(ctx context.Context, kind, key string, value []byte, expires time.Time, max int) error
	// GetWebState returns the value and its expiry, or an error with code
	// bk.ENotFound.
	GetWebState(ctx context.Context, kind, key string) ([]byte, time.Time, error)
	// TakeWebState is GetWebState and a delete, once: of concurrent takes
	// on any process one wins, the others find nothing.
	TakeWebState(ctx context.Context, kind, key string) ([]byte, time.Time, error)
	// DeleteWebState removes a record; an absent one is not an error.
	DeleteWebState(ctx context.Context, kind, key string) error
}

// The kinds of web state the pages keep.
const (
	kindSignIn  = "handover-signin"
	kindSession = "handover-session"
)

// stateKey is the name in the store of the record a browser secret opens.
func stateKey(secret string) string {
	sum := sha256.Sum256([]byte("borgerkiosk-handover-v1\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// SharedPending is a PendingStore in Shared: a sign-in started on one
// central process can finish on another.
type SharedPending struct {
	S   Shared
	Max int // live sign-ins at most; 0: DefaultMaxSignIns
}

var _ PendingStore = SharedPending{}

func (p SharedPending) Put(ctx context.Context, f Flow, _ time.Time) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	max := p.Max
	if max <= 0 {
		max = DefaultMaxSignIns
	}
	err = p.S.PutWebState(ctx, kindSignIn, stateKey(f.State), b, f.Expires, max)
	if bk.ErrorCode(err) == bk.EUnavailable {
		return ErrBusy
	}
	return err
}

func (p SharedPending) Take(ctx context.Context, state string, now time.Time) (Flow, bool, error) {
	b, exp, err := p.S.TakeWebState(ctx, kindSignIn, stateKey(state))
	if bk.ErrorCode(err) == bk.ENotFound {
		return Flow{}, false, nil
	}
	if err != nil {
		return Flow{}, false, err
	}
	if !now.Before(exp) {
		return Flow{}, false, nil
	}
	var f Flow
	if err := json.Unmarshal(b, &f); err != nil || f.State != state {
		return Flow{}, false, fmt.Errorf("handoverweb: a stored sign-in does not decode: %v", err)
	}
	return f, true, nil
}

var errSessionsFull = errors.New("handoverweb: too many signed-in delegates")

// sessionStore keeps the signed-in delegates, by session cookie value.
type sessionStore interface {
	// put keeps s until expires, or returns ErrBusy when full.
	put(ctx context.Context, id string, s *session, expires, now time.Time) error
	// get returns the live session id names, or nil.
	get(ctx context.Context, id string, now time.Time) (*session, error)
	delete(ctx context.Context, id string) error
}

// sessionRecord is a session as the store keeps it.
type sessionRecord struct {
	Identity Identity `json:"identity"`
	CSRF     string   `json:"csrf"`
}

type sharedSessions struct {
	s   Shared
	max int
}

func (ss sharedSessions) put(ctx context.Context, id string, s *session, expires, _ time.Time) error {
	b, err := json.Marshal(sessionRecord{Identity: s.id, CSRF: s.csrf})
	if err != nil {
		return err
	}
	err = ss.s.PutWebState(ctx, kindSession, stateKey(id), b, expires, ss.max)
	if bk.ErrorCode(err) == bk.EUnavailable {
		return errSessionsFull
	}
	return err
}

func (ss sharedSessions) get(ctx context.Context, id string, now time.Time) (*session, error) {
	b, exp, err := ss.s.GetWebState(ctx, kindSession, stateKey(id))
	if bk.ErrorCode(err) == bk.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !now.Before(exp) {
		return nil, nil
	}
	var rec sessionRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.CSRF == "" || rec.Identity.CPR.IsZero() {
		return nil, fmt.Errorf("handoverweb: a stored session does not decode: %v", err)
	}
	return &session{id: rec.Identity, csrf: rec.CSRF}, nil
}

func (ss sharedSessions) delete(ctx context.Context, id string) error {
	return ss.s.DeleteWebState(ctx, kindSession, stateKey(id))
}

// memSessions keeps sessions in this process, bounded in count and bytes.
type memSessions struct {
	mu sync.Mutex
	m  *expiring[*session]
}

func (ms *memSessions) put(_ context.Context, id string, s *session, expires, now time.Time) error {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if !ms.m.put(id, s, expires, flowOverhead+len(id)+len(s.csrf)+len(s.id.Name)+len(s.id.Method), now) {
		return errSessionsFull
	}
	return nil
}

func (ms *memSessions) get(_ context.Context, id string, now time.Time) (*session, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	s, _ := ms.m.get(id, now)
	return s, nil
}

func (ms *memSessions) delete(_ context.Context, id string) error {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.m.delete(id)
	return nil
}
