package sync

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// kioskRig is one kiosk: state dir, outbox, client, bundles and pusher.
type kioskRig struct {
	dir     string
	id      *Identity
	ob      *Outbox
	client  *Client
	bundles *Bundles
	pusher  *Pusher
	cancel  context.CancelFunc
	done    chan error
}

func newKiosk(t *testing.T, url, token string, cfg PusherConfig) *kioskRig {
	t.Helper()
	dir := t.TempDir()
	id, err := Enroll(context.Background(), filepath.Join(dir, "state"), url, token, "kiosk-1", "Test Library", nil)
	if err != nil {
		t.Fatalf("Enroll = %v", err)
	}
	k := &kioskRig{dir: dir, id: id}
	k.ob = mustOpen(t, filepath.Join(dir, "outbox"), Options{})
	k.client = NewClient(id, nil)
	k.bundles = LoadBundles(filepath.Join(dir, "state"), id.CentralKey, quietLogger())
	cfg.Queue, cfg.Client, cfg.Bundles, cfg.StateDir = k.ob, k.client, k.bundles, filepath.Join(dir, "state")
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 5 * time.Millisecond
		cfg.MaxBackoff = 100 * time.Millisecond
	}
	k.pusher, err = NewPusher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (k *kioskRig) start(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel, k.done = cancel, make(chan error, 1)
	go func() { k.done <- k.pusher.Run(ctx) }()
	t.Cleanup(k.stop)
}

func (k *kioskRig) stop() {
	if k.cancel != nil {
		k.cancel()
		<-k.done
		k.cancel = nil
	}
}

// waitStatus waits for a status satisfying ok, failing after a generous
// guard so a broken pusher cannot hang the test run.
func waitStatus(t *testing.T, p *Pusher, ok func(Status) bool) Status {
	t.Helper()
	ch, unsub := p.Subscribe()
	defer unsub()
	guard := time.After(2 * time.Minute)
	for {
		select {
		case s := <-ch:
			if ok(s) {
				return s
			}
		case <-guard:
			t.Fatalf("status never came; last = %+v", p.Status())
		}
	}
}

func drained(s Status) bool { return s.State == StateIdle && s.Pending == 0 }

func TestPusherDeliversInOrder(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok")
	srv := httptest.NewServer(fc)
	defer srv.Close()
	k := newKiosk(t, srv.URL, "tok", PusherConfig{})
	// A subscriber that never reads must not block anything.
	_, unsub := k.pusher.Subscribe()
	defer unsub()
	p := newPeople(iss)
	var ids []string
	for i := 0; i < 300; i++ { // queued before start: more than one batch
		a := p.delegation(k.id.KioskID, time.Now())
		ids = append(ids, a.ID)
		k.ob.Enqueue(context.Background(), a)
	}
	k.start(t)
	waitStatus(t, k.pusher, drained)
	// And one more while running: pushed on notify.
	a := p.delegation(k.id.KioskID, time.Now())
	ids = append(ids, a.ID)
	k.ob.Enqueue(context.Background(), a)
	s := waitStatus(t, k.pusher, func(s Status) bool { return drained(s) && k.ob.Stats().Acked == 301 })
	if got := fc.appliedIDs(); !slices.Equal(got, ids) {
		t.Fatalf("central applied %d actions, in order = %v; want %d in order", len(got), slices.Equal(got[:min(len(got), len(ids))], ids[:min(len(got), len(ids))]), len(ids))
	}
	if !s.Online || s.LastSync.IsZero() || s.BundleIssuedAt.IsZero() && k.bundles.Bundle() == nil {
		t.Fatalf("status = %+v", s)
	}
	v, _, ok, _ := k.ob.Verdict(301)
	if !ok || v.Outcome != bk.Applied {
		t.Fatalf("Verdict(301) = %+v, %v; want applied", v, ok)
	}
}

func TestPusherHaltsOnFork(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok")
	srv := httptest.NewServer(fc)
	defer srv.Close()
	k := newKiosk(t, srv.URL, "tok", PusherConfig{})
	p := newPeople(iss)
	k.ob.Enqueue(context.Background(), p.delegation(k.id.KioskID, time.Now()))
	// Central already holds a different action 1 from this incarnation.
	key := k.id.KioskID + "/" + k.ob.Incarnation()
	fc.mu.Lock()
	fc.last[key], fc.hashes[key] = 1, [][]byte{[]byte("something else")}
	fc.mu.Unlock()
	k.start(t)
	s := waitStatus(t, k.pusher, func(s Status) bool { return s.State == StateHalted })
	if s.Alarm == "" || s.Pending != 1 {
		t.Fatalf("halted status = %+v; want an alarm and the action still pending", s)
	}
	k.pusher.SyncNow() // does not resume a halted pusher
	k.ob.Enqueue(context.Background(), p.delegation(k.id.KioskID, time.Now()))
	s = waitStatus(t, k.pusher, func(s Status) bool { return s.Pending == 2 })
	if s.State != StateHalted {
		t.Fatalf("state after SyncNow = %s; want halted", s.State)
	}
}

func TestPusherReenrolsOn401(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok", "spare")
	srv := httptest.NewServer(fc)
	defer srv.Close()
	k := newKiosk(t, srv.URL, "tok", PusherConfig{EnrollToken: "spare"})
	oldKey := k.id.KeyFile
	fc.mu.Lock()
	fc.fail401 = true // central has forgotten the kiosk's key
	fc.mu.Unlock()
	p := newPeople(iss)
	k.ob.Enqueue(context.Background(), p.delegation(k.id.KioskID, time.Now()))
	k.start(t)
	waitStatus(t, k.pusher, drained)
	if len(fc.appliedIDs()) != 1 {
		t.Fatalf("applied = %d; want 1 after re-enrolment", len(fc.appliedIDs()))
	}
	id, err := LoadIdentity(filepath.Join(k.dir, "state"))
	if err != nil || id.KeyFile == oldKey {
		t.Fatalf("identity after re-enrolment = %+v, %v; want a new key", id, err)
	}
	if _, err := os.Stat(filepath.Join(k.dir, "state", oldKey)); !os.IsNotExist(err) {
		t.Fatalf("old key file still there: %v", err)
	}
	// Forgotten again: the token is used up, so the pusher stops and says why.
	fc.mu.Lock()
	fc.fail401 = true
	fc.mu.Unlock()
	k.ob.Enqueue(context.Background(), p.delegation(k.id.KioskID, time.Now()))
	s := waitStatus(t, k.pusher, func(s Status) bool { return s.State == StateUnauthorized })
	if s.LastError == "" || s.Pending != 1 {
		t.Fatalf("status = %+v; want unauthorized with a reason", s)
	}
}

// Central failing with 5xx, then recovering: backoff and retry deliver all.
func TestPusherRetriesServerErrors(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok")
	fails := 5
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/push" && fails > 0 {
			fails--
			writeErr(w, 503, bk.EUnavailable, "busy")
			return
		}
		fc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	k := newKiosk(t, srv.URL, "tok", PusherConfig{})
	p := newPeople(iss)
	for i := 0; i < 10; i++ {
		k.ob.Enqueue(context.Background(), p.delegation(k.id.KioskID, time.Now()))
	}
	k.start(t)
	waitStatus(t, k.pusher, drained)
	if n := len(fc.appliedIDs()); n != 10 {
		t.Fatalf("applied = %d; want 10", n)
	}
}

func TestPusherOfflineThenOnline(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok")
	up := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-up:
			fc.ServeHTTP(w, r)
		default:
			if r.URL.Path == "/v1/enroll" {
				fc.ServeHTTP(w, r)
				return
			}
			// Like a dead link: close without an answer.
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
		}
	}))
	defer srv.Close()
	k := newKiosk(t, srv.URL, "tok", PusherConfig{MinBackoff: time.Hour, MaxBackoff: time.Hour})
	p := newPeople(iss)
	k.ob.Enqueue(context.Background(), p.delegation(k.id.KioskID, time.Now()))
	k.start(t)
	s := waitStatus(t, k.pusher, func(s Status) bool { return s.State == StateOffline })
	if s.Online || s.Pending != 1 || s.OldestPending.IsZero() {
		t.Fatalf("offline status = %+v", s)
	}
	close(up)
	k.pusher.SyncNow() // staff press "sync now": no waiting out the hour
	waitStatus(t, k.pusher, drained)
}

func TestBundlesKeepLastGood(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok")
	srv := httptest.NewServer(fc)
	defer srv.Close()
	k := newKiosk(t, srv.URL, "tok", PusherConfig{})
	now := time.Now()
	if err := k.bundles.Bundle().AllowAction(bk.CreateDelegation, now); bk.ErrorCode(err) != bk.EStaleTrust {
		t.Fatalf("AllowAction before any bundle = %v; want %s", err, bk.EStaleTrust)
	}
	if err := k.bundles.Bundle().AllowAction(bk.RevokeDelegation, now); err != nil {
		t.Fatalf("AllowAction(revoke) with no bundle = %v; want nil", err)
	}
	k.start(t)
	waitStatus(t, k.pusher, func(s Status) bool { return !s.BundleIssuedAt.IsZero() })
	k.stop()
	if k.bundles.Stale(now) || k.bundles.Bundle().AllowAction(bk.CreateDelegation, now) != nil {
		t.Fatalf("fresh bundle is stale or refuses a create")
	}
	if !k.bundles.Stale(now.Add(2 * time.Hour)) {
		t.Fatalf("bundle with max age 1 h not stale after 2 h")
	}
	state := filepath.Join(k.dir, "state")
	if b := LoadBundles(state, k.id.CentralKey, quietLogger()).Bundle(); b == nil || len(b.Issuers) != 1 {
		t.Fatalf("saved bundle not loaded: %+v", b)
	}
	// Signed by someone else: refused, the good copy stays.
	sb, _ := bk.SignBundle(fc.bundle, fixture.NewIssuer().Key)
	if _, err := k.bundles.Update(sb); bk.ErrorCode(err) != bk.EBadSignature {
		t.Fatalf("Update(forged) = %v; want %s", err, bk.EBadSignature)
	}
	// Older than the current one: ignored.
	old := *fc.bundle
	old.IssuedAt = old.IssuedAt.Add(-time.Hour)
	sb, _ = bk.SignBundle(&old, fc.key)
	if changed, err := k.bundles.Update(sb); changed || err != nil {
		t.Fatalf("Update(older) = %v, %v; want false, nil", changed, err)
	}
	// A corrupt saved copy is ignored, not fatal.
	os.WriteFile(filepath.Join(state, bundleFileName), []byte("{garbage"), 0o644)
	if b := LoadBundles(state, k.id.CentralKey, quietLogger()).Bundle(); b != nil {
		t.Fatalf("corrupt saved bundle loaded")
	}
}

func TestCitizenClientOffline(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok")
	srv := httptest.NewServer(fc)
	id, err := Enroll(context.Background(), t.TempDir(), srv.URL, "tok", "kiosk-1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(id, nil)
	if n, err := c.Nonce(context.Background()); err != nil || len(n) != 32 {
		t.Fatalf("Nonce online = %d bytes, %v", len(n), err)
	}
	srv.Close()
	if _, err := c.Nonce(context.Background()); bk.ErrorCode(err) != bk.EUnavailable {
		t.Fatalf("Nonce offline = %v; want code %s", err, bk.EUnavailable)
	}
	if _, err := c.CitizenState(context.Background(), bk.CitizenAuth{}); bk.ErrorCode(err) != bk.EUnavailable {
		t.Fatalf("CitizenState offline = %v; want code %s", err, bk.EUnavailable)
	}
}

func TestEnrollErrors(t *testing.T) {
	fc := newFakeCentral(fixture.NewIssuer(), "tok")
	srv := httptest.NewServer(fc)
	defer srv.Close()
	dir := t.TempDir()
	if _, err := Enroll(context.Background(), dir, srv.URL, "wrong", "k", "", nil); err == nil {
		t.Fatalf("Enroll(wrong token) = nil; want error")
	}
	if _, err := LoadIdentity(dir); err != ErrNotEnrolled {
		t.Fatalf("LoadIdentity after failed enrolment = %v; want ErrNotEnrolled", err)
	}
	id, err := Enroll(context.Background(), dir, srv.URL, "tok", "k", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, id.KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file = %v, %v; want mode 0600", fi, err)
	}
	got, err := LoadIdentity(dir)
	if err != nil || !got.Key.Equal(id.Key) || !got.CentralKey.Equal(id.CentralKey) {
		t.Fatalf("LoadIdentity = %+v, %v", got, err)
	}
}

// With nothing queued, the link state comes from the trust-bundle refresh.
func TestPusherIdleOfflineShows(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok")
	srv := httptest.NewServer(fc)
	k := newKiosk(t, srv.URL, "tok", PusherConfig{})
	srv.Close()
	k.start(t)
	s := waitStatus(t, k.pusher, func(s Status) bool { return s.State == StateIdle && s.LastError != "" })
	if s.Online || !s.LastSync.IsZero() {
		t.Fatalf("status with central down and nothing queued = %+v; want offline, never synced", s)
	}
}

// With nothing queued, a successful trust-bundle refresh is the last sync:
// staff must not read "never synced" on an idle kiosk that is online.
func TestPusherIdleOnlineHasLastSync(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok")
	srv := httptest.NewServer(fc)
	t.Cleanup(srv.Close)
	k := newKiosk(t, srv.URL, "tok", PusherConfig{})
	k.start(t)
	s := waitStatus(t, k.pusher, func(s Status) bool { return s.Online && !s.BundleIssuedAt.IsZero() })
	if s.LastSync.IsZero() || s.Pending != 0 {
		t.Fatalf("idle online status = %+v; want a last sync from the bundle refresh", s)
	}
}

// Only "unknown kiosk" makes the pusher re-enrol: another 401 (a key
// central does not accept) leaves the enrolment token unspent.
func TestPusherNoReenrolOnOther401(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok", "spare")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/push" {
			writeErr(w, http.StatusUnauthorized, bk.EUnauthorized, "bad kiosk request signature")
			return
		}
		fc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	k := newKiosk(t, srv.URL, "tok", PusherConfig{EnrollToken: "spare"})
	k.ob.Enqueue(context.Background(), newPeople(iss).delegation(k.id.KioskID, time.Now()))
	k.start(t)
	s := waitStatus(t, k.pusher, func(s Status) bool { return s.State == StateUnauthorized })
	if s.LastError == "" || s.Pending != 1 {
		t.Errorf("status = %+v; want unauthorized with a reason, 1 pending", s)
	}
	if _, err := os.Stat(filepath.Join(k.dir, "state", "used-enrol-tokens")); !os.IsNotExist(err) {
		t.Errorf("the enrolment token was spent on a 401 that is not unknown_kiosk (%v)", err)
	}
}

// Central limiting enrolments (429) has not looked at the token: the
// pusher keeps it and re-enrols on a later try.
func TestPusherReenrolsAfter429(t *testing.T) {
	iss := fixture.NewIssuer()
	fc := newFakeCentral(iss, "tok", "spare")
	var limited atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/enroll" && limited.Add(-1) >= 0 {
			w.Header().Set("Retry-After", "1")
			writeErr(w, http.StatusTooManyRequests, "too_many_requests", "Too many requests from this address.")
			return
		}
		fc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	k := newKiosk(t, srv.URL, "tok", PusherConfig{EnrollToken: "spare"})
	fc.mu.Lock()
	fc.fail401 = true // central has forgotten the kiosk
	fc.mu.Unlock()
	limited.Store(2) // and limits the first two enrolments
	k.ob.Enqueue(context.Background(), newPeople(iss).delegation(k.id.KioskID, time.Now()))
	k.start(t)
	waitStatus(t, k.pusher, drained)
	// limited < 0: both 429s were answered and a third enrolment went through.
	if n := len(fc.appliedIDs()); n != 1 || limited.Load() >= 0 {
		t.Fatalf("applied = %d (limited left %d); want 1 after two limited enrolments", n, limited.Load())
	}
}
