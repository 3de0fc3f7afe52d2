package sync

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// startCentral starts the real central service, trusting extra issuers too
// (so one set of signed actions can go to two centrals).
func startCentral(t testing.TB, extra ...*fixture.Issuer) *centraltest.Harness {
	return centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) {
		for _, iss := range extra {
			cfg.Issuers = append(cfg.Issuers, iss.PublicKey())
		}
	}})
}

// workload makes n signed actions for kiosk: mostly delegations that apply,
// plus revokes (applied), second revokes (superseded) and consents nobody
// asked for (rejected unknown_subject), so every verdict kind shows up.
func workload(p *people, kiosk string, n int) []*bk.Action {
	out := make([]*bk.Action, 0, n)
	var lastCreate *bk.Action
	for i := 0; len(out) < n; i++ {
		now := time.Now()
		switch {
		case i%50 == 17 && lastCreate != nil:
			pl, _ := lastCreate.DecodePayload()
			for j := 0; j < 2 && len(out) < n; j++ { // revoke, then revoke again
				a, _ := bk.NewAction(bk.RevokeDelegation, bk.Payload{DelegationID: pl.DelegationID}, kiosk, now)
				out = append(out, fixture.SignAction(a, p.principal, nil))
			}
		case i%97 == 5:
			a, _ := bk.NewAction(bk.GiveConsent, bk.Payload{ConsentID: bk.NewID(now)}, kiosk, now)
			out = append(out, fixture.SignAction(a, p.principal, nil))
		default:
			lastCreate = p.delegation(kiosk, now)
			out = append(out, lastCreate)
		}
	}
	return out
}

// newKioskAt is newKiosk against the real central; pushURL, if set, is
// where pushes go (a proxy), while enrolment goes to central directly.
func newKioskAt(t testing.TB, h *centraltest.Harness, pushURL string, maxBatch int) *kioskRig {
	dir := t.TempDir()
	id, err := Enroll(context.Background(), filepath.Join(dir, "state"), h.URL, h.EnrollToken(t), "kiosk-1", "Test Library", nil)
	if err != nil {
		t.Fatalf("Enroll = %v", err)
	}
	if pushURL != "" {
		id.BaseURL = pushURL
	}
	k := &kioskRig{dir: dir, id: id}
	k.ob = mustOpen(t, filepath.Join(dir, "outbox"), Options{})
	k.client = NewClient(id, &http.Client{Timeout: 10 * time.Second})
	k.bundles = LoadBundles(filepath.Join(dir, "state"), id.CentralKey, quietLogger())
	k.pusher, err = NewPusher(PusherConfig{Queue: k.ob, Client: k.client, Bundles: k.bundles, StateDir: filepath.Join(dir, "state"),
		Logger: quietLogger(), MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxBatch: maxBatch})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (k *kioskRig) startB(tb testing.TB) {
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel, k.done = cancel, make(chan error, 1)
	go func() { k.done <- k.pusher.Run(ctx) }()
	tb.Cleanup(k.stop)
}

// checkExactlyOnce compares central's records for the kiosk with what was
// queued: one record per sequence number, in order, the same actions.
func checkExactlyOnce(t *testing.T, h *centraltest.Harness, k *kioskRig, want []*bk.Action) []*central.ActionRecord {
	t.Helper()
	recs := h.Records(t, k.id.KioskID, k.ob.Incarnation())
	if len(recs) != len(want) {
		t.Fatalf("central holds %d records; want %d", len(recs), len(want))
	}
	seen := map[string]bool{}
	for i, r := range recs {
		if r.Seq != uint64(i+1) || r.Action.ID != want[i].ID {
			t.Fatalf("record %d = seq %d action %s; want seq %d action %s", i, r.Seq, r.Action.ID, i+1, want[i].ID)
		}
		if seen[r.Action.ID] {
			t.Fatalf("action %s recorded twice", r.Action.ID)
		}
		seen[r.Action.ID] = true
	}
	if c := h.PushCursor(t, k.id.KioskID, k.ob.Incarnation()); c != uint64(len(want)) {
		t.Fatalf("central's push cursor = %d; want %d", c, len(want))
	}
	return recs
}

// 1,000 actions queued offline, then delivered: each applied exactly once,
// in order.
func TestEndToEndOfflineThenOnline(t *testing.T) {
	h := startCentral(t)
	k := newKioskAt(t, h, "", 0)
	p := newPeople(h.Issuer)
	var want []*bk.Action
	for i := 0; i < 1000; i++ {
		a := p.delegation(k.id.KioskID, time.Now())
		if _, err := k.ob.Enqueue(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		want = append(want, a)
	}
	k.startB(t)
	waitStatus(t, k.pusher, func(s Status) bool { return drained(s) && k.ob.Stats().Acked == 1000 })
	checkExactlyOnce(t, h, k, want)
	applied := h.Applied(t, k.id.KioskID, k.ob.Incarnation())
	if len(applied) != 1000 {
		t.Fatalf("applied = %d; want 1000", len(applied))
	}
	for i, a := range applied {
		if a.ID != want[i].ID {
			t.Fatalf("applied[%d] = %s; want %s", i, a.ID, want[i].ID)
		}
	}
	if st := k.ob.Stats(); st.Attention != 0 || st.Pending != 0 {
		t.Fatalf("outbox stats = %+v", st)
	}
	if k.bundles.Bundle() == nil || k.bundles.Stale(time.Now()) {
		t.Fatalf("no fresh trust bundle from central")
	}
}

// faultProxy sits between kiosk and central and, for pushes, injects
// faults chosen by a seeded generator: dropped requests, responses lost
// after central committed, duplicated requests, 5xx, delays, truncated
// bodies. Other paths pass through untouched.
type faultProxy struct {
	target *url.URL
	rp     *httputil.ReverseProxy
	mu     gosync.Mutex
	rnd    *rand.Rand
	counts map[string]int
}

func newFaultProxy(target string, seed uint64) *faultProxy {
	u, _ := url.Parse(target)
	return &faultProxy{target: u, rp: httputil.NewSingleHostReverseProxy(u), rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), counts: map[string]int{}}
}

func (f *faultProxy) forward(r *http.Request, body []byte) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(r.Method, f.target.String()+r.URL.Path, bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func hangUp(w http.ResponseWriter) {
	if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
}

func (f *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/push" {
		f.rp.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	roll := f.rnd.IntN(100)
	delay := time.Duration(f.rnd.IntN(20)) * time.Millisecond
	f.mu.Unlock()
	fault := "pass"
	switch {
	case roll < 10:
		fault = "drop request"
	case roll < 20:
		fault = "drop response"
	case roll < 30:
		fault = "duplicate"
	case roll < 40:
		fault = "5xx"
	case roll < 50:
		fault = "delay"
	case roll < 60:
		fault = "truncate"
	}
	f.mu.Lock()
	f.counts[fault]++
	f.mu.Unlock()
	switch fault {
	case "drop request":
		hangUp(w)
		return
	case "5xx":
		writeErr(w, http.StatusBadGateway, "bad_gateway", "injected")
		return
	case "delay":
		time.Sleep(delay)
	}
	resp, rb, err := f.forward(r, body)
	if fault == "duplicate" && err == nil {
		resp, rb, err = f.forward(r, body)
	}
	if err != nil {
		writeErr(w, http.StatusBadGateway, "bad_gateway", err.Error())
		return
	}
	switch fault {
	case "drop response":
		hangUp(w)
		return
	case "truncate":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		w.Write(rb[:len(rb)/2])
		return
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	w.Write(rb)
}

// The same actions through a faulty link and a clean one leave central in
// the same state: same records, same verdicts, same delegations.
func TestEndToEndFaultyLink(t *testing.T) {
	iss := fixture.NewIssuer()
	p := newPeople(iss)
	actions := workload(p, "kiosk-1", 600)

	run := func(faults bool) (*centraltest.Harness, *kioskRig, []*central.ActionRecord, map[string]int) {
		h := startCentral(t, iss)
		var fp *faultProxy
		pushURL := ""
		if faults {
			fp = newFaultProxy(h.URL, 42)
			srv := httptest.NewServer(fp)
			t.Cleanup(srv.Close)
			pushURL = srv.URL
		}
		k := newKioskAt(t, h, pushURL, 8)
		k.startB(t)
		for i, a := range actions {
			if _, err := k.ob.Enqueue(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			if i%100 == 0 {
				time.Sleep(time.Millisecond) // let some batches go out small
			}
		}
		waitStatus(t, k.pusher, func(s Status) bool { return drained(s) && k.ob.Stats().Acked == uint64(len(actions)) })
		k.stop()
		recs := checkExactlyOnce(t, h, k, actions)
		if fp != nil {
			return h, k, recs, fp.counts
		}
		return h, k, recs, nil
	}
	hc, kc, clean, _ := run(false)
	hf, kf, faulty, counts := run(true)
	t.Logf("faults injected: %v", counts)
	for _, f := range []string{"drop request", "drop response", "duplicate", "5xx", "delay", "truncate"} {
		if counts[f] == 0 {
			t.Errorf("fault %q never injected; the test would prove nothing about it", f)
		}
	}
	outcomes := map[bk.Outcome]int{}
	for i := range clean {
		c, f := clean[i], faulty[i]
		if c.Verdict.Outcome != f.Verdict.Outcome || c.Verdict.Reason != f.Verdict.Reason {
			t.Fatalf("seq %d: clean verdict %+v, faulty %+v", i+1, c.Verdict, f.Verdict)
		}
		outcomes[c.Verdict.Outcome]++
		pl, _ := actions[i].DecodePayload()
		if pl.DelegationID != "" {
			dc, df := hc.Delegation(t, pl.DelegationID), hf.Delegation(t, pl.DelegationID)
			if (dc == nil) != (df == nil) || dc != nil && dc.State != df.State {
				t.Fatalf("delegation %s: clean %+v, faulty %+v", pl.DelegationID, dc, df)
			}
		}
	}
	for _, o := range []bk.Outcome{bk.Applied, bk.Superseded, bk.Rejected} {
		if outcomes[o] == 0 {
			t.Errorf("no %s verdict in the workload: %v", o, outcomes)
		}
	}
	if kc.ob.Stats().Attention == 0 {
		t.Errorf("clean run: attention list empty; want the rejected and superseded actions")
	}
	// When an answer is lost, the retry gets "duplicate" with central's first
	// verdict, so the kiosk's attention list is the same with or without faults.
	if c, f := kc.ob.Stats().Attention, kf.ob.Stats().Attention; c != f {
		t.Errorf("attention list: clean run %d, faulty run %d; want the same", c, f)
	}
}
