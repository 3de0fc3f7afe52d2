package sync

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// mountTmpfs mounts a small tmpfs so the test can fill a real filesystem; it
// skips when mounting is not allowed (not root, no CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "mnt")
	os.MkdirAll(mnt, 0o700)
	mount, err := exec.LookPath("mount")
	if err != nil {
		t.Skip("mount not found; cannot make a tiny filesystem")
	}
	if out, err := exec.Command(mount, "-t", "tmpfs", "-o", "size="+size, "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s); disk-full test needs root", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	return mnt
}

// On a nearly full disk Enqueue refuses with a clear error before writing
// (Badger's memory-mapped files would otherwise crash the process), and works
// again once space is freed; confirmed actions stay intact.
func TestOutboxDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, "96m")
	dir := filepath.Join(mnt, "ob")
	p := newPeople(nil)
	o := mustOpen(t, dir, Options{MinFreeBytes: 32 << 20})
	for i := 0; i < 10; i++ {
		if _, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	ballast := filepath.Join(mnt, "ballast")
	f, err := os.Create(ballast)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		free, _ := diskFree(mnt)
		if free < 30<<20 {
			break
		}
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	_, err = o.Enqueue(context.Background(), p.delegation("k1", time.Now()))
	if !errors.Is(err, ErrDiskFull) || bk.ErrorCode(err) != bk.EUnavailable {
		t.Fatalf("Enqueue on a full disk = %v; want ErrDiskFull with code %s", err, bk.EUnavailable)
	}
	os.Remove(ballast)
	seq, err := o.Enqueue(context.Background(), p.delegation("k1", time.Now()))
	if seq != 11 || err != nil {
		t.Fatalf("Enqueue after freeing space = %d, %v; want 11", seq, err)
	}
	o.Close()
	o = mustOpen(t, dir, Options{MinFreeBytes: 32 << 20})
	items, err := o.Pending(0, 100, bk.MaxPushBytes)
	if err != nil || len(items) != 11 {
		t.Fatalf("Pending after reopen = %d, %v; want 11", len(items), err)
	}
}
