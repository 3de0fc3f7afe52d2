package sync

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// dirSize returns the apparent size and the allocated size (what du shows)
// of the files under dir; Badger preallocates sparse files, so they differ.
func dirSize(dir string) (apparent, allocated int64) {
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		apparent += fi.Size()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			allocated += st.Blocks * 512
		}
		return nil
	})
	return apparent, allocated
}

// procStatus returns a field of /proc/self/status in bytes.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// vmRSS returns this process's resident memory in bytes.
func vmRSS() int64 { return procStatus("VmRSS") }

// TestSoak runs enqueue/ack/purge cycles and watches disk and memory (Badger
// issue #2329: tombstones of a queue's ever-increasing keys can pile up).
// It runs only with BK_SOAK_CYCLES set, e.g.
//
//	BK_SOAK_CYCLES=1000000 go test -run TestSoak ./sync/ -timeout 60m -v
//
// Simulated time advances BK_SOAK_STEP (default 60s) per action, so with
// the 24 h retention about 1,440 actions are kept at any time (a kiosk
// doing one action a minute around the clock). Limits: 64 MB on disk
// (allocated), 100 MB resident.
func TestSoak(t *testing.T) {
	cycles, _ := strconv.Atoi(os.Getenv("BK_SOAK_CYCLES"))
	if cycles <= 0 {
		t.Skip("soak test: set BK_SOAK_CYCLES (e.g. 200000) to run it")
	}
	step := time.Minute
	if s := os.Getenv("BK_SOAK_STEP"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("BK_SOAK_STEP: %v", err)
		}
		step = d
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	dir := filepath.Join(t.TempDir(), "outbox")
	o := mustOpen(t, dir, Options{Now: func() time.Time { return now }})
	p := newPeople(nil)
	pool := make([]*bk.Action, 512)
	for i := range pool {
		pool[i] = p.delegation("kiosk-1", time.Now())
	}
	var maxApp, maxAlloc, maxRSS int64
	report := func(i int) {
		app, alloc := dirSize(dir)
		rss := vmRSS()
		maxApp, maxAlloc, maxRSS = max(maxApp, app), max(maxAlloc, alloc), max(maxRSS, rss)
		st := o.Stats()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("cycle %7d: disk %5.1f MB allocated (%5.1f MB apparent), RSS %5.1f MB (anon %5.1f, file %5.1f; Go heap in use %5.1f), kept %d, purged to %d, attention %d",
			i, float64(alloc)/1e6, float64(app)/1e6, float64(rss)/1e6, float64(procStatus("RssAnon"))/1e6, float64(procStatus("RssFile"))/1e6,
			float64(ms.HeapInuse)/1e6, st.AckedNotPurged+st.Pending, st.Purged, st.Attention)
	}
	ctx := context.Background()
	start := time.Now()
	for i := 1; i <= cycles; i++ {
		now = now.Add(step)
		a := pool[i%len(pool)]
		seq, err := o.Enqueue(ctx, a)
		if err != nil {
			t.Fatalf("cycle %d: Enqueue = %v", i, err)
		}
		if i%32 == 0 {
			items, err := o.Pending(0, bk.MaxPushActions, bk.MaxPushBytes)
			if err != nil {
				t.Fatalf("cycle %d: Pending = %v", i, err)
			}
			resp := bk.PushResponse{LastSeq: seq}
			for _, it := range items {
				v := bk.Verdict{ActionID: it.Action.ID, Seq: it.Seq, Outcome: bk.Applied}
				if it.Seq%1000 == 0 {
					v.Outcome, v.Reason = bk.Rejected, bk.EAgeRule
				}
				resp.Verdicts = append(resp.Verdicts, v)
			}
			if err := o.Ack(resp); err != nil {
				t.Fatalf("cycle %d: Ack = %v", i, err)
			}
		}
		if i%1024 == 0 {
			if _, err := o.Purge(now); err != nil {
				t.Fatalf("cycle %d: Purge = %v", i, err)
			}
			// Staff deal with the attention list now and then.
			if att, _ := o.Attention(); len(att) > 5 {
				for _, e := range att {
					o.Dismiss(e.Seq, "staff-1")
				}
			}
		}
		if i%8192 == 0 {
			o.GC()
		}
		if i%(max(cycles/20, 1)) == 0 {
			report(i)
		}
	}
	el := time.Since(start)
	t.Logf("%d cycles in %s (%.0f/s); max disk %.1f MB allocated (%.1f MB apparent), max RSS %.1f MB",
		cycles, el.Round(time.Second), float64(cycles)/el.Seconds(), float64(maxAlloc)/1e6, float64(maxApp)/1e6, float64(maxRSS)/1e6)
	if maxAlloc > 64<<20 {
		t.Errorf("disk use reached %.1f MB; want at most 64 MB", float64(maxAlloc)/1e6)
	}
	if maxRSS > 100<<20 {
		t.Errorf("resident memory reached %.1f MB; want at most 100 MB", float64(maxRSS)/1e6)
	}
}
