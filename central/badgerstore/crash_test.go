package badgerstore_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/internal/badgerfix"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

var crashKey = []byte("0123456789abcdef0123456789abcdef")

func TestMain(m *testing.M) {
	if dir := os.Getenv("BK_STORE_HELPER_DIR"); dir != "" {
		os.Exit(crashHelper(dir))
	}
	os.Exit(m.Run())
}

// crashHelper is central in the kill loop, run as a child process: it prints
// "open" once the store is open, then writes a push cursor per round and
// prints its number once Update returned, until it is killed.
func crashHelper(dir string) int {
	s, err := badgerstore.Open(dir, badgerstore.Options{EncryptionKey: crashKey})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	defer s.Close()
	fmt.Println("open")
	for i := uint64(1); ; i++ {
		err := s.Update(context.Background(), func(tx central.Tx) error {
			n, err := tx.PushCursor("crash", "last")
			if err != nil {
				return err
			}
			if err := tx.SetPushCursor("crash", strconv.FormatUint(n+1, 10), n+1); err != nil {
				return err
			}
			return tx.SetPushCursor("crash", "last", n+1)
		})
		if err == nil {
			// The usage log's own database is killed mid-write too, and
			// must open again on the first try as well.
			err = s.Update(context.Background(), func(tx central.Tx) error { return tx.PutUsage([]central.UsageEntry{usageRecord(int(i))}) })
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 3
		}
		fmt.Println(i)
	}
}

// Central's store is killed with SIGKILL at random moments, half of them
// while it opens; every time it must open again on the first try and hold
// every write whose Update returned. BK_TORTURE_ROUNDS sets the rounds
// (default 20).
func TestCrashStore(t *testing.T) {
	rounds := testtool.TortureRounds(t, 20)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(11, uint64(time.Now().UnixNano())))
	var confirmed uint64
	openTime := 50 * time.Millisecond // learnt from the rounds
	duringOpen := 0
	for i := 0; i < rounds; i++ {
		killAfter := time.Duration(rnd.Int64N(int64(openTime)))
		if i%2 == 1 {
			killAfter = openTime + time.Duration(rnd.IntN(200))*time.Millisecond
		}
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "BK_STORE_HELPER_DIR="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
		opened := false
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "open" {
				opened = true
				openTime = (openTime + time.Since(start)) / 2
				continue
			}
			n, err := strconv.ParseUint(sc.Text(), 10, 64)
			if err != nil {
				t.Fatalf("helper printed %q", sc.Text())
			}
			confirmed = max(confirmed, n)
		}
		timer.Stop()
		err = cmd.Wait()
		if !testtool.Killed(err) {
			t.Fatalf("round %d: the store did not open on the first try after a kill (%v): %s", i, err, stderr.String())
		}
		if !opened {
			duringOpen++
		}
	}
	s, err := badgerstore.Open(dir, badgerstore.Options{EncryptionKey: crashKey})
	if err != nil {
		t.Fatalf("Open after %d kills = %v; want it open on the first try", rounds, err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(tx central.Tx) error {
		last, err := tx.PushCursor("crash", "last")
		if err != nil {
			return err
		}
		if last < confirmed {
			t.Errorf("store holds %d writes; %d were confirmed", last, confirmed)
		}
		for n := uint64(1); n <= last; n++ {
			if got, err := tx.PushCursor("crash", strconv.FormatUint(n, 10)); err != nil || got != n {
				t.Fatalf("write %d = %d, %v; want it kept", n, got, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kills, %d of them before the store was open; %d writes confirmed", rounds, duringOpen, confirmed)
}

// After a crash while Badger starts a log file the store opens on the first
// try, with its data (Badger alone fails: "Create a new file").
func TestOpensAfterCrashLeftovers(t *testing.T) {
	for _, c := range badgerfix.Leftovers {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := badgerstore.Open(dir, badgerstore.Options{EncryptionKey: crashKey})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Update(context.Background(), func(tx central.Tx) error { return tx.SetPushCursor("k", "i", 7) })
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			if _, err := c.Plant(dir); err != nil {
				t.Fatal(err)
			}
			s, err = badgerstore.Open(dir, badgerstore.Options{EncryptionKey: crashKey})
			if err != nil {
				t.Fatalf("Open after a crash left a file (%s) = %v; want it open on the first try", c.Name, err)
			}
			defer s.Close()
			var n uint64
			err = s.View(context.Background(), func(tx central.Tx) (err error) { n, err = tx.PushCursor("k", "i"); return err })
			if n != 7 || err != nil {
				t.Fatalf("PushCursor after reopen = %d, %v; want 7", n, err)
			}
		})
	}
}
