package sync

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Each benchmark here measures a subject and its baseline interleaved in the
// same run, alternating which goes first, and reports their ratio: on a
// shared machine load drifts within seconds, and a ratio of two separate
// runs carries that drift.

// BenchmarkEnqueueVsFloor alternates one durable, encrypted outbox enqueue
// (signing done beforehand: a card signs before the kiosk saves) with the
// floor it cannot beat, an action-sized append and fdatasync to a file in
// the same directory. It reports each and their ratio (the goal is < 1.5).
func BenchmarkEnqueueVsFloor(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "outbox")
	o := mustOpen(b, dir, Options{})
	f, err := os.OpenFile(filepath.Join(dir, "floor"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	p := newPeople(nil)
	actions := make([]*bk.Action, min(b.N, 20000))
	for i := range actions {
		actions[i] = p.delegation("kiosk-1", time.Now())
	}
	rec := mustJSON(b, actions[0])
	floor := func() {
		if _, err := f.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
	}
	var tFloor, tEnq time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		enqueue := func() {
			if _, err := o.Enqueue(context.Background(), actions[i%len(actions)]); err != nil {
				b.Fatal(err)
			}
		}
		tFloor, tEnq = timePair(i, floor, enqueue, tFloor, tEnq)
	}
	b.ReportMetric(float64(tFloor.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(tEnq.Nanoseconds())/float64(b.N), "enqueue-ns/op")
	b.ReportMetric(float64(tEnq)/float64(tFloor), "ratio")
}

// timePair runs base and subject, base first on even rounds, and adds their
// times to tb and ts.
func timePair(round int, base, subject func(), tb, ts time.Duration) (time.Duration, time.Duration) {
	first, second := base, subject
	if round%2 == 1 {
		first, second = subject, base
	}
	t0 := time.Now()
	first()
	t1 := time.Now()
	second()
	d1, d2 := t1.Sub(t0), time.Since(t1)
	if round%2 == 1 {
		d1, d2 = d2, d1
	}
	return tb + d1, ts + d2
}

const drainActions = 10000

// BenchmarkDrainVsVerify alternates two things per op: sending 10,000
// queued actions through HTTP to the real central (which verifies, applies
// and stores each), and only checking the same kind of 10,000 actions'
// signatures (bk.Trust.VerifyAction) as central checks them, with a cache of
// verified card certificates. It reports both in actions/s and the drain's
// share of verify-only throughput (the goal is ≥ 0.5).
func BenchmarkDrainVsVerify(b *testing.B) {
	vp := newPeople(nil)
	trust := vp.issuer.Trust()
	trust.Verified = bk.NewCertCache(1024) // as central's: each card's certificate is checked once
	toVerify := make([]*bk.Action, drainActions)
	for i := range toVerify {
		toVerify[i] = vp.delegation("kiosk-1", time.Now())
	}
	var tVerify, tDrain time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := startCentral(b)
		k := newKioskAt(b, h, "", 0)
		p := newPeople(h.Issuer)
		for j := 0; j < drainActions; j++ {
			if _, err := k.ob.Enqueue(context.Background(), p.delegation(k.id.KioskID, time.Now())); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		verify := func() {
			for _, a := range toVerify {
				if _, _, err := trust.VerifyAction(a); err != nil {
					b.Fatal(err)
				}
			}
		}
		drain := func() {
			k.startB(b)
			ch, unsub := k.pusher.Subscribe()
			defer unsub()
			for s := range ch {
				if drained(s) && k.ob.Stats().Acked == drainActions {
					return
				}
				if s.State == StateHalted || s.State == StateError {
					b.Fatalf("pusher: %+v", s)
				}
			}
		}
		tVerify, tDrain = timePair(i, verify, drain, tVerify, tDrain)
		b.StopTimer()
		k.stop()
		b.StartTimer()
	}
	n := float64(drainActions * b.N)
	b.ReportMetric(n/tDrain.Seconds(), "drain-actions/s")
	b.ReportMetric(n/tVerify.Seconds(), "verify-actions/s")
	b.ReportMetric(tVerify.Seconds()/tDrain.Seconds(), "ratio")
}
