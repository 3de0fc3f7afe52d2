package sync

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// dirtyLogs returns, for each memtable or value log of dir mapped into this
// process, how many kB of it are dirty (written but not yet on disk), from
// /proc/self/smaps.
func dirtyLogs(t *testing.T, dir string) map[string]int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dirty := map[string]int{}
	cur := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0:
		case !strings.HasSuffix(fields[0], ":"): // a mapping's header line; the path is the 6th field, if any
			cur = ""
			if p := fields[len(fields)-1]; len(fields) >= 6 && filepath.Dir(p) == dir && (strings.HasSuffix(p, memLogExt) || strings.HasSuffix(p, valueLogExt)) {
				cur = filepath.Base(p)
				dirty[cur] += 0
			}
		case cur != "" && len(fields) == 3 && (fields[0] == "Shared_Dirty:" || fields[0] == "Private_Dirty:"):
			kb, _ := strconv.Atoi(fields[1])
			dirty[cur] += kb
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return dirty
}

// No SIGKILL test can tell a synced write from one left in the page cache
// (the kernel keeps both), so this checks the sync itself: after every
// Enqueue and Ack returns, no page of any memtable or value log Badger has
// mapped is dirty. It enqueues until the memtable has been rotated and the
// old one flushed, so a commit that lands in a new memtable log is covered.
func TestEnqueueLeavesNothingUnsynced(t *testing.T) {
	tmp := t.TempDir()
	var st syscall.Statfs_t
	if err := syscall.Statfs(tmp, &st); err != nil {
		t.Fatal(err)
	}
	if st.Type == 0x01021994 { // TMPFS_MAGIC: its pages count as dirty for ever
		t.Skipf("%s is a tmpfs, where nothing is ever written back", tmp)
	}
	dir := filepath.Join(tmp, "ob")
	o := mustOpen(t, dir, Options{MaintenanceInterval: -1})
	p := newPeople(nil)
	check := func(what string) {
		t.Helper()
		for name, kb := range dirtyLogs(t, dir) {
			if kb != 0 {
				t.Fatalf("after %s, %s has %d kB not written to disk", what, name, kb)
			}
		}
	}
	memLogs := func() string {
		var names []string
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), memLogExt) {
				names = append(names, e.Name())
			}
		}
		return strings.Join(names, ",")
	}
	logs, rotations := memLogs(), 0
	for i := 1; i <= 20000 && rotations < 2; i++ {
		seq, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		// smaps is dear to read: every 10th, and each enqueue that rotated
		// the memtable.
		if now := memLogs(); now != logs || i%10 == 1 {
			if now != logs {
				rotations++
			}
			logs = now
			check("enqueue " + strconv.Itoa(i))
		}
		if i%1000 == 0 {
			if err := o.Ack(bk.PushResponse{LastSeq: seq}); err != nil {
				t.Fatal(err)
			}
			check("ack of " + strconv.FormatUint(seq, 10))
		}
	}
	t.Logf("%d enqueues, memtable logs now %s", int(o.Stats().LastSeq), logs)
	if rotations < 2 {
		t.Fatalf("memtable logs changed %d times; want a rotation and a flush", rotations)
	}
}
