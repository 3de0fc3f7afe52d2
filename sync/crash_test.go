package sync

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

func TestMain(m *testing.M) {
	if os.Getenv("BK_SYNC_HELPER") != "" {
		os.Exit(crashHelper())
	}
	os.Exit(m.Run())
}

// crashHelper is the kiosk in the crash test, run as a child process: it
// opens the outbox (printing "open" once it is), pushes in the background
// and enqueues as fast as it can, printing each sequence number only after
// Enqueue returned, until it is killed. In drain mode it enqueues nothing and exits once all is sent.
func crashHelper() int {
	dir := os.Getenv("BK_HELPER_DIR")
	seed, err := hex.DecodeString(os.Getenv("BK_HELPER_ISSUER"))
	if err != nil || len(seed) != ed25519.SeedSize {
		fmt.Fprintln(os.Stderr, "helper: bad issuer key")
		return 2
	}
	iss := &fixture.Issuer{Key: ed25519.NewKeyFromSeed(seed)}
	id, err := LoadIdentity(filepath.Join(dir, "state"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	ob, err := Open(filepath.Join(dir, "outbox"), Options{Logger: quietLogger(), MaintenanceInterval: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	defer ob.Close()
	fmt.Println("open")
	p, err := NewPusher(PusherConfig{Queue: ob, Client: NewClient(id, nil), Logger: quietLogger(),
		MinBackoff: time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxBatch: 16})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	if os.Getenv("BK_HELPER_MODE") == "drain" {
		ch, _ := p.Subscribe()
		for s := range ch {
			if drained(s) && ob.Stats().Pending == 0 {
				fmt.Println("drained")
				return 0
			}
			if s.State == StateHalted {
				fmt.Fprintln(os.Stderr, "helper: halted:", s.Alarm)
				return 3
			}
		}
	}
	people := newPeople(iss)
	for {
		seq, err := ob.Enqueue(ctx, people.delegation(id.KioskID, time.Now()))
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper: enqueue:", err)
			return 4
		}
		os.Stdout.WriteString(strconv.FormatUint(seq, 10) + "\n")
	}
}

// The kiosk process is killed with SIGKILL at random moments while it
// enqueues and pushes, every other round while it opens the outbox. The
// outbox opens on the first try every time, every action whose enqueue
// returned reaches central exactly once and sequence numbers stay
// contiguous. BK_TORTURE_ROUNDS sets the rounds (default 50).
func TestCrashTorture(t *testing.T) {
	rounds := testtool.TortureRounds(t, 50)
	if testing.Short() {
		rounds = 5
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	h := startCentral(t)
	dir := t.TempDir()
	id, err := Enroll(context.Background(), filepath.Join(dir, "state"), h.URL, h.EnrollToken(t), "kiosk-crash", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "BK_SYNC_HELPER=1", "BK_HELPER_DIR="+dir, "BK_HELPER_ISSUER="+hex.EncodeToString(h.Issuer.Key.Seed()))
	rnd := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	confirmed := map[uint64]bool{}
	var maxConfirmed uint64
	openTime := 100 * time.Millisecond // from start to "open", learnt from the rounds
	duringOpen := 0
	// run starts the helper and kills it killAfter after its start, or after
	// it opened the outbox; killAfter 0 lets it run to its end.
	run := func(mode string, killAfter time.Duration, afterOpen bool) (string, error) {
		start := time.Now()
		opened := false
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(env, "BK_HELPER_MODE="+mode)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var timer <-chan time.Time
		if killAfter > 0 && !afterOpen {
			timer = time.After(killAfter)
		}
		last := ""
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					err := cmd.Wait()
					return last, fmt.Errorf("helper exited: %v: %s", err, stderr.String())
				}
				last = l
				if l == "open" {
					opened = true
					openTime = (openTime + time.Since(start)) / 2
					if killAfter > 0 && afterOpen {
						timer = time.After(killAfter)
					}
					continue
				}
				if l == "drained" {
					return l, cmd.Wait()
				}
				seq, err := strconv.ParseUint(l, 10, 64)
				if err != nil {
					t.Fatalf("helper printed %q", l)
				}
				confirmed[seq] = true
				maxConfirmed = max(maxConfirmed, seq)
			case <-timer:
				cmd.Process.Signal(syscall.SIGKILL)
				timer = nil
				// Lines already written before the kill are confirmed too.
				for l := range lines {
					opened = opened || l == "open"
					if seq, err := strconv.ParseUint(l, 10, 64); err == nil {
						confirmed[seq] = true
						maxConfirmed = max(maxConfirmed, seq)
					}
				}
				if err := cmd.Wait(); !testtool.Killed(err) {
					return last, fmt.Errorf("helper exited before the kill: %v: %s", err, stderr.String())
				}
				if !opened {
					duringOpen++
				}
				return last, nil
			}
		}
	}
	for i := 0; i < rounds; i++ {
		// While the helper starts and opens the outbox, or up to 300 ms
		// after that, while it enqueues and pushes.
		killAfter, afterOpen := time.Duration(1+rnd.Int64N(int64(openTime))), false
		if i%2 == 1 {
			killAfter, afterOpen = time.Duration(1+rnd.IntN(300))*time.Millisecond, true
		}
		if _, err := run("enqueue", killAfter, afterOpen); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if _, err := run("drain", 0, false); err != nil {
		t.Fatalf("drain: %v", err)
	}
	ob := mustOpen(t, filepath.Join(dir, "outbox"), Options{ReadOnly: true})
	st := ob.Stats()
	recs := h.Records(t, id.KioskID, ob.Incarnation())
	t.Logf("%d rounds, %d of them killed before the outbox was open (it takes about %v): %d actions confirmed to the helper, %d stored, %d at central", rounds, duringOpen, openTime.Round(time.Millisecond), len(confirmed), st.LastSeq, len(recs))
	if st.Pending != 0 || st.Acked != st.LastSeq {
		t.Fatalf("outbox after drain = %+v; want everything acknowledged", st)
	}
	if uint64(len(recs)) != st.LastSeq || st.LastSeq < maxConfirmed {
		t.Fatalf("central holds %d records, outbox %d, highest confirmed %d", len(recs), st.LastSeq, maxConfirmed)
	}
	seen := map[string]bool{}
	for i, r := range recs {
		if r.Seq != uint64(i+1) {
			t.Fatalf("central record %d has seq %d; want contiguous", i, r.Seq)
		}
		if seen[r.Action.ID] {
			t.Fatalf("action %s reached central twice", r.Action.ID)
		}
		seen[r.Action.ID] = true
	}
	for seq := range confirmed {
		if seq > uint64(len(recs)) {
			t.Fatalf("confirmed action %d never reached central", seq)
		}
	}
	if len(confirmed) == 0 {
		t.Fatalf("no enqueue ever completed; the kill times are too short to test anything")
	}
}
