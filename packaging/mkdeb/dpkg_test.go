package main

// The packages installed, removed, reinstalled and purged for real, with
// Debian's own dpkg, adduser, deb-systemd-helper and systemctl, in a
// throwaway root: this machine's root filesystem under an overlay whose
// writes go to a tmpfs, in a mount namespace of its own. Nothing of it
// reaches the machine, and it needs no network (the packages' dependencies
// are the machine's: scripts/deps.sh appliance installs them).

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// debRoot is the throwaway root; one process (cat on a pipe from the test)
// holds its mount namespace, so the namespace and every mount in it vanish
// when the test ends, even if the test is killed.
type debRoot struct {
	t       *testing.T
	nsenter string
	holder  int
	dir     string // the root, as seen inside the namespace
}

// The root is built inside the namespace: a tmpfs for the overlay's writes,
// the overlay on /, the kernel's /dev and /proc, an empty /run (no systemd
// runs there unless a step says so) and /tmp, and the packages at /mnt/dist.
const debRootSetup = `set -e
base=$1 dist=$2
mount -t tmpfs tmpfs "$base"
mkdir "$base/upper" "$base/work" "$base/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/root"
mount --rbind /dev "$base/root/dev"
mount -t proc proc "$base/root/proc"
mount -t tmpfs tmpfs "$base/root/run"
mount -t tmpfs tmpfs "$base/root/tmp"
mkdir -p "$base/root/mnt/dist"
mount --bind -o ro "$dist" "$base/root/mnt/dist"
echo ready
exec cat >/dev/null
`

func newDebRoot(t *testing.T, dist string) *debRoot {
	t.Helper()
	if os.Getuid() != 0 {
		if os.Getenv("BK_APPLIANCE") != "" {
			t.Fatal("installing the packages in a throwaway root needs root (mount namespaces, chroot)")
		}
		t.Skip("installing the packages in a throwaway root needs root")
	}
	unshare, nsenter := require(t, "unshare"), require(t, "nsenter")
	require(t, "chroot")
	base := t.TempDir()
	cmd := exec.Command(unshare, "--mount", "--propagation", "private", "sh", "-c", debRootSetup, "sh", base, dist)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		cmd.Wait()
		t.Fatalf("setting up the throwaway root (an overlay on / in a mount namespace): %v\n%s", err, stderr.String())
	}
	return &debRoot{t: t, nsenter: nsenter, holder: cmd.Process.Pid, dir: filepath.Join(base, "root")}
}

// sh runs a shell script as root in the throwaway root; it returns the
// script's stdout and stderr and whether it exited 0.
func (r *debRoot) sh(script string) (stdout, stderr string, ok bool) {
	r.t.Helper()
	cmd := exec.Command(r.nsenter, "-t", strconv.Itoa(r.holder), "-m", "--", "chroot", r.dir, "/bin/sh", "-c", script)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
		"DEBIAN_FRONTEND=noninteractive", "HOME=/root"}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if err != nil {
		if _, exit := err.(*exec.ExitError); !exit {
			r.t.Fatalf("nsenter: %v", err)
		}
	}
	return o.String(), e.String(), err == nil
}

// must runs a script that must succeed and returns its stdout.
func (r *debRoot) must(what, script string) string {
	r.t.Helper()
	o, e, ok := r.sh(script)
	if !ok {
		r.t.Fatalf("%s failed:\n$ %s\n%s%s", what, script, o, e)
	}
	return o
}

// dpkg runs dpkg with args; it must exit 0 and say nothing on stderr that
// an operator would read as a problem (adduser's warnings, say).
func (r *debRoot) dpkg(args string) string {
	r.t.Helper()
	o, e, ok := r.sh("dpkg " + args)
	if !ok {
		r.t.Fatalf("dpkg %s failed:\n%s%s", args, o, e)
	}
	// The man-db trigger says it skips its rebuild (the test turned it off).
	e = strings.ReplaceAll(e, "Not building database; man-db/auto-update is not 'true'.\n", "")
	// The test's outbox is an empty directory, not a Badger store.
	e = regexp.MustCompile(`(?m)^kioskctl: outbox: no outbox in \S+ \(no Badger MANIFEST there.*\n`).ReplaceAllString(e, "")
	if e != "" {
		r.t.Errorf("dpkg %s wrote to stderr:\n%s", args, e)
	}
	return o
}

func (r *debRoot) exists(path string) bool {
	r.t.Helper()
	_, _, ok := r.sh("test -e " + path + " || test -L " + path)
	return ok
}

// enabled is what `systemctl is-enabled` says of a unit (it works on the
// unit files, with no systemd running).
func (r *debRoot) enabled(unit string) string {
	r.t.Helper()
	o, _, _ := r.sh("systemctl is-enabled " + unit)
	return strings.TrimSpace(o)
}

// A stand-in systemctl for steps that pretend systemd runs (with
// /run/systemd/system there, the maintainer scripts reload, restart and
// stop): it logs its arguments, one call a line. deb-systemd-invoke and
// the scripts find it first on PATH; the operator's steps use
// /usr/bin/systemctl.
const fakeSystemctl = `#!/bin/sh
echo "$*" >>/run/systemctl.log
case "$1" in
--version) echo "systemd 252 (252)" ;;
is-enabled|--quiet) echo enabled ;;
esac
exit 0
`

// TestDpkgInstallRemoveReinstallPurge: the lifecycle an operator's machine
// sees. The first install makes the users and the locale and enables
// nothing; the operator's enablement survives remove and reinstall (remove
// masks, reinstall unmasks); purge forgets the enablement and the configs
// but keeps, and names, central's keys and the kiosk's outbox. Then the
// same with systemd running: a first install starts nothing, an upgrade
// restarts, a remove stops.
func TestDpkgInstallRemoveReinstallPurge(t *testing.T) {
	debs := dist(t)
	r := newDebRoot(t, filepath.Dir(debs["borgerkiosk-kiosk"]))
	deb := func(names ...string) string {
		var paths []string
		for _, n := range names {
			paths = append(paths, "/mnt/dist/"+filepath.Base(debs["borgerkiosk-"+n]))
		}
		return strings.Join(paths, " ")
	}
	all := deb("kioskctl", "central", "kiosk")
	const kioskUnit, centralUnit = "borgerkiosk-kiosk.service", "borgerkiosk-central.service"

	// A machine that has never had the packages: none of them or their
	// users, no da_DK locale, and no man-db rebuild after each step
	// (minutes on a loaded machine, and not ours to test).
	r.must("preparing the root", `set -e
for p in borgerkiosk-kiosk borgerkiosk-central borgerkiosk-kioskctl; do
	if dpkg-query -W "$p" >/dev/null 2>&1; then dpkg --purge "$p" >/dev/null; fi
done
for u in kiosk borgerkiosk; do if getent passwd $u >/dev/null; then deluser --system --quiet $u; fi; done
for g in kiosk borgerkiosk; do if getent group $g >/dev/null; then delgroup --system --quiet $g; fi; done
rm -rf /var/lib/borgerkiosk /var/lib/borgerkiosk-central /etc/borgerkiosk /srv/kiosk-data
rm -f /var/lib/man-db/auto-update
if [ -f /etc/locale.gen ]; then sed -i 's/^da_DK.UTF-8 UTF-8/# da_DK.UTF-8 UTF-8/' /etc/locale.gen; fi
localedef --delete-from-archive da_DK.utf8 2>/dev/null || true
`)
	if o, _, _ := r.sh("locale -a"); strings.Contains(o, "da_DK") {
		t.Fatalf("could not remove da_DK from the root's locales:\n%s", o)
	}

	t.Log("dpkg -i: all three packages, no systemd running")
	r.dpkg("-i " + all)
	groups := r.must("kiosk's groups", "id -nG kiosk")
	for _, g := range []string{"kiosk", "dialout", "audio", "video", "input"} {
		if !slices.Contains(strings.Fields(groups), g) {
			t.Errorf("the kiosk user is in %q; want %s among them", strings.TrimSpace(groups), g)
		}
	}
	for _, u := range []string{"kiosk", "borgerkiosk"} {
		if pw := r.must("the user "+u, "getent passwd "+u); !strings.HasSuffix(strings.TrimSpace(pw), ":/usr/sbin/nologin") {
			t.Errorf("user %s: %s; want a system user with no shell", u, strings.TrimSpace(pw))
		}
	}
	for _, d := range []string{"/var/lib/borgerkiosk", "/var/lib/borgerkiosk-central"} {
		if st := strings.TrimSpace(r.must("the home "+d, "stat -c '%a %U' "+d)); st != "700 kiosk" && st != "700 borgerkiosk" {
			t.Errorf("%s is %q; want mode 700, owned by its service's user", d, st)
		}
	}
	if o := r.must("locale -a", "locale -a"); !regexp.MustCompile(`(?m)^da_DK\.utf8$`).MatchString(o) {
		t.Errorf("after installing the kiosk, locale -a says\n%s\nwant da_DK.utf8, the LANG its unit sets", o)
	}
	for _, u := range []string{kioskUnit, centralUnit} {
		if got := r.enabled(u); got != "disabled" {
			t.Errorf("after the first install %s is %q; want disabled (an operator enables it once the config is filled in)", u, got)
		}
	}
	if o := r.must("udev rules", "ls /lib/udev/rules.d /etc/udev/rules.d"); strings.Contains(o, "borgerkiosk") {
		t.Errorf("an installed udev rule claims devices:\n%s", o)
	}
	// systemd's own check of the installed units: every directive known,
	// every program there, the OnFailure= units found.
	if _, e, _ := r.sh("systemd-analyze verify /lib/systemd/system/borgerkiosk-*.service"); e != "" {
		t.Errorf("systemd-analyze verify of the installed units:\n%s", e)
	}

	t.Log("the operator enables both units and the services leave data")
	r.must("enabling", "/usr/bin/systemctl enable --quiet "+kioskUnit+" "+centralUnit)
	r.must("data", `set -e
mkdir -p /srv/kiosk-data/outbox
echo key >/var/lib/borgerkiosk-central/signing.key
sed -i 's|^data_dir = .*|data_dir = "/srv/kiosk-data" # the site edited this|' /etc/borgerkiosk/kiosk.toml`)

	t.Log("dpkg -r kiosk and central")
	out := r.dpkg("-r borgerkiosk-kiosk borgerkiosk-central")
	for _, want := range []string{"borgerkiosk-kiosk: /srv/kiosk-data stays, on purge too",
		"borgerkiosk-kiosk: the outbox in /srv/kiosk-data/outbox stays"} {
		if !strings.Contains(out, want) {
			t.Errorf("remove did not say %q (kiosk.toml's data_dir is /srv/kiosk-data):\n%s", want, out)
		}
	}
	for _, u := range []string{kioskUnit, centralUnit} {
		if r.exists("/lib/systemd/system/" + u) {
			t.Errorf("remove left /lib/systemd/system/%s", u)
		}
		if got := r.enabled(u); got != "masked" {
			t.Errorf("after remove %s is %q; want masked (deb-systemd-helper mask keeps the enablement for a reinstall)", u, got)
		}
	}

	t.Log("dpkg -i kiosk and central again")
	r.dpkg("-i " + deb("central", "kiosk"))
	for _, u := range []string{kioskUnit, centralUnit} {
		if got := r.enabled(u); got != "enabled" {
			t.Errorf("after remove and reinstall %s is %q; want enabled, as the operator left it", u, got)
		}
	}
	if o := r.must("kiosk.toml", "cat /etc/borgerkiosk/kiosk.toml"); !strings.Contains(o, `data_dir = "/srv/kiosk-data" # the site edited this`) {
		t.Error("remove and reinstall lost the site's edit of /etc/borgerkiosk/kiosk.toml")
	}

	t.Log("dpkg -P all three")
	out = r.dpkg("-P borgerkiosk-kiosk borgerkiosk-central borgerkiosk-kioskctl")
	for _, want := range []string{"purge keeps /var/lib/borgerkiosk (the kiosk's key and its outbox)",
		"purge keeps /var/lib/borgerkiosk-central (central's keys and the registry)", "rm -rf /var/lib/borgerkiosk-central"} {
		if !strings.Contains(out, want) {
			t.Errorf("purge did not say %q:\n%s", want, out)
		}
	}
	if o := r.must("what purge left", "find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked /etc/pam.d /etc/borgerkiosk -name '*borgerkiosk*' 2>/dev/null || true"); o != "" {
		t.Errorf("purge left enablement, masks or configs behind:\n%s", o)
	}
	for _, f := range []string{"/srv/kiosk-data/outbox", "/var/lib/borgerkiosk-central/signing.key"} {
		if !r.exists(f) {
			t.Errorf("purge deleted %s: keys and unsent actions must never vanish silently", f)
		}
	}

	t.Log("with systemd running (a stand-in systemctl): install, upgrade, remove, purge")
	r.must("systemd running", fmt.Sprintf(`set -e
mkdir -p /run/systemd/system
rm -f /usr/sbin/policy-rc.d # a container's "start nothing" (exit 101) would hide what the scripts ask for
cat >/usr/local/sbin/systemctl <<'EOF'
%sEOF
chmod 0755 /usr/local/sbin/systemctl
rm -rf /var/lib/borgerkiosk /var/lib/borgerkiosk-central`, fakeSystemctl))
	calls := func() string {
		o, _, _ := r.sh("cat /run/systemctl.log 2>/dev/null; rm -f /run/systemctl.log")
		return o
	}
	out = r.dpkg("-i " + all)
	for _, want := range []string{"set issuer_files in /etc/borgerkiosk/central.toml, then: systemctl enable --now borgerkiosk-central",
		"edit /etc/borgerkiosk/kiosk.toml, then: systemctl enable --now borgerkiosk-kiosk"} {
		if !strings.Contains(out, want) {
			t.Errorf("a first install did not tell the operator %q:\n%s", want, out)
		}
	}
	c := calls()
	if !strings.Contains(c, "daemon-reload") || regexp.MustCompile(`(?m)(start|restart|enable).*borgerkiosk`).MatchString(c) {
		t.Errorf("a first install called systemctl\n%s\nwant a daemon-reload and no start: central refuses to start without issuer_files", c)
	}
	r.dpkg("-i " + all)
	c = calls()
	for _, u := range []string{kioskUnit, centralUnit} {
		if !regexp.MustCompile(`(?m)try-restart.* ` + regexp.QuoteMeta(u) + `$`).MatchString(c) {
			t.Errorf("an upgrade called systemctl\n%s\nwant try-restart %s, so a running service runs the new binary", c, u)
		}
	}
	r.dpkg("-r borgerkiosk-kiosk borgerkiosk-central")
	c = calls()
	for _, u := range []string{kioskUnit, centralUnit} {
		if !regexp.MustCompile(`(?m)stop.* ` + regexp.QuoteMeta(u) + `$`).MatchString(c) {
			t.Errorf("remove called systemctl\n%s\nwant stop %s before its files go", c, u)
		}
	}
	r.dpkg("-P borgerkiosk-kiosk borgerkiosk-central borgerkiosk-kioskctl")
}
