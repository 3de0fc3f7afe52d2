package ui_test

import (
	"go/parser"
	"go/token"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// TestImportDirections keeps ui away from devices, storage and network: it
// may use the domain, Fyne, its own subpackages, the QR encoder and the
// standard library only.
func TestImportDirections(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		pf, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pf.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			ok := !strings.Contains(strings.Split(p, "/")[0], ".") || // standard library
				p == "github.com/borgerkiosk/borgerkiosk" ||
				strings.HasPrefix(p, "github.com/borgerkiosk/borgerkiosk/ui/") ||
				strings.HasPrefix(p, "fyne.io/fyne/v2") ||
				p == "github.com/skip2/go-qrcode"
			if !ok || strings.HasPrefix(p, "github.com/borgerkiosk/borgerkiosk/ui/fake") {
				t.Errorf("%s imports %s; ui may import only the domain, Fyne, ui/* and the QR encoder", f, p)
			}
		}
	}
}

// TestHandoverQRScans decodes the QR image on the screen with zbarimg, a
// decoder nobody here wrote.
func TestHandoverQRScans(t *testing.T) {
	zbar := testtool.Require(t, "zbarimg")
	for _, v := range visits {
		if v.screen != "handover_qr" {
			continue
		}
		h := goTo(t, v, i18n.Danish, theme.Settings{HighContrast: true})
		path := filepath.Join(t.TempDir(), "screen.png")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, h.w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(zbar, "--nodbus", "--raw", "-q", path).Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		if got, want := strings.TrimSpace(string(out)), handoverCode(h); got != want {
			t.Errorf("QR on screen decodes to %q; want %q", got, want)
		}
	}
}
