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

// BenchmarkFsyncFloor is the cost of the durable write the outbox cannot
// avoid: appending an action-sized record to a file in the same directory
// and fdatasync. Compare BenchmarkOutboxEnqueue with it as a ratio.
func BenchmarkFsyncFloor(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "outbox")
	os.MkdirAll(dir, 0o700)
	f, err := os.OpenFile(filepath.Join(dir, "floor"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	a := newPeople(nil).delegation("kiosk-1", time.Now())
	rec := mustJSON(b, a)
	b.SetBytes(int64(len(rec)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOutboxEnqueue is one durable, encrypted enqueue (signing is done
// beforehand; a card signs before the kiosk saves).
func BenchmarkOutboxEnqueue(b *testing.B) {
	o := mustOpen(b, filepath.Join(b.TempDir(), "outbox"), Options{})
	p := newPeople(nil)
	actions := make([]*bk.Action, min(b.N, 20000))
	for i := range actions {
		actions[i] = p.delegation("kiosk-1", time.Now())
	}
	b.SetBytes(int64(len(mustJSON(b, actions[0]))))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := actions[i%len(actions)]
		if _, err := o.Enqueue(context.Background(), a); err != nil {
			b.Fatal(err)
		}
	}
}

const drainActions = 10000

// BenchmarkPushDrain sends 10,000 queued actions through HTTP to the real
// central (which verifies, applies and stores each); one op is the whole
// drain. Compare its actions/s with BenchmarkVerifyOnly.
func BenchmarkPushDrain(b *testing.B) {
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
		start := time.Now()
		k.startB(b)
		ch, unsub := k.pusher.Subscribe()
		for s := range ch {
			if drained(s) && k.ob.Stats().Acked == drainActions {
				break
			}
			if s.State == StateHalted || s.State == StateError {
				b.Fatalf("pusher: %+v", s)
			}
		}
		unsub()
		el := time.Since(start)
		b.StopTimer()
		k.stop()
		b.ReportMetric(drainActions/el.Seconds(), "actions/s")
		b.StartTimer()
	}
}

// BenchmarkVerifyOnly checks the signatures of the same kind of 10,000
// actions (bk.Trust.VerifyAction) and nothing else; one op is all 10,000.
func BenchmarkVerifyOnly(b *testing.B) {
	p := newPeople(nil)
	trust := p.issuer.Trust()
	actions := make([]*bk.Action, drainActions)
	for i := range actions {
		actions[i] = p.delegation("kiosk-1", time.Now())
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, a := range actions {
			if _, _, err := trust.VerifyAction(a); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(drainActions*b.N)/time.Since(start).Seconds(), "actions/s")
}

// BenchmarkEnqueueVsFloor alternates one fdatasync'd append and one
// outbox enqueue in the same directory, so load from other processes hits
// both alike; it reports each and their ratio (the goal is ≤ 1.5).
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
	var floor, enq time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := f.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := o.Enqueue(context.Background(), actions[i%len(actions)]); err != nil {
			b.Fatal(err)
		}
		floor += t1.Sub(t0)
		enq += time.Since(t1)
	}
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(enq.Nanoseconds())/float64(b.N), "enqueue-ns/op")
	b.ReportMetric(float64(enq)/float64(floor), "ratio")
}
