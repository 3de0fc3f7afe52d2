package sync

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// A kiosk whose clock is wrong, against the real central: central says
// clock_skew with its time; the pusher keeps its enrolment and its actions,
// does not spend its enrolment token, shows the skew, and delivers
// everything once the clock is right, by itself or when a new action comes.
func TestPusherClockSkew(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backoff time.Duration // both bounds of the retry delay
		nudge   bool          // a new action after the fix must restart pushing
	}{
		{"resumes by itself", 5 * time.Millisecond, false},
		{"a new action restarts pushing", time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startCentral(t)
			p := newPeople(h.Issuer)
			spare := h.EnrollToken(t)
			var offset atomic.Int64 // the kiosk clock's error
			offset.Store(int64(-20 * time.Minute))
			clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }

			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			id, err := Enroll(context.Background(), state, h.URL, h.EnrollToken(t), "kiosk-1", "Test Library", nil)
			if err != nil {
				t.Fatal(err)
			}
			k := &kioskRig{dir: dir, id: id, ob: mustOpen(t, filepath.Join(dir, "outbox"), Options{})}
			k.client = NewClient(id, nil)
			k.client.now = clock
			k.bundles = LoadBundles(state, id.CentralKey, quietLogger())
			k.pusher, err = NewPusher(PusherConfig{Queue: k.ob, Client: k.client, Bundles: k.bundles, StateDir: state,
				EnrollToken: spare, Logger: quietLogger(), MinBackoff: tc.backoff, MaxBackoff: tc.backoff, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			var want []*bk.Action
			enqueue := func() {
				a := p.delegation(id.KioskID, clock())
				if _, err := k.ob.Enqueue(context.Background(), a); err != nil {
					t.Fatal(err)
				}
				want = append(want, a)
			}
			enqueue()
			enqueue()
			<-k.ob.Notify() // taken now, so that only the nudge after the fix can cut the backoff short
			k.start(t)

			s := waitStatus(t, k.pusher, func(s Status) bool { return s.State == StateClockSkew })
			if s.ClockSkew > -19*time.Minute || s.ClockSkew < -21*time.Minute || !s.Online || s.Pending != 2 {
				t.Errorf("status = %+v; want clock_skew about -20m, online, 2 pending", s)
			}
			if want := "the kiosk clock is 20 minutes wrong (behind central)"; !strings.Contains(s.LastError, want) {
				t.Errorf("LastError = %q; want %q", s.LastError, want)
			}
			if got, err := LoadIdentity(state); err != nil || got.KeyFile != id.KeyFile {
				t.Errorf("identity after clock_skew = %+v, %v; want the same key %s", got, err, id.KeyFile)
			}
			if _, err := os.Stat(filepath.Join(state, "used-enrol-tokens")); !os.IsNotExist(err) {
				t.Errorf("the enrolment token was spent (%v)", err)
			}
			if n := len(h.Records(t, id.KioskID, k.ob.Incarnation())); n != 0 {
				t.Errorf("central holds %d records while refusing the clock; want 0", n)
			}

			offset.Store(0) // staff set the clock right
			if tc.nudge {
				enqueue()
			}
			s = waitStatus(t, k.pusher, drained)
			if s.ClockSkew != 0 || s.LastError != "" {
				t.Errorf("status after the fix = %+v; want no clock skew, no error", s)
			}
			if got := h.Applied(t, id.KioskID, k.ob.Incarnation()); len(got) != len(want) {
				t.Errorf("applied %d actions; want %d", len(got), len(want))
			}

			// The token is still good at central: nothing tried to re-enrol.
			body, _ := json.Marshal(bk.EnrollRequest{Token: spare, KioskID: "kiosk-2", PublicKey: newKioskKey().Public().(ed25519.PublicKey)})
			if status, resp := h.Do(t, "POST", "/v1/enroll", "", body); status != http.StatusOK {
				t.Errorf("enrol with the spare token = %d %s; want 200", status, resp)
			}
		})
	}
}
