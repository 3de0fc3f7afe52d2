package central_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// TestStoresLinkNoWebSignIn keeps the web sign-in out of central's stores,
// in the spirit of ui's TestImportDirections but over all dependencies:
// handover redemption (CodeRecord, Decide) lives in package handover, and
// central takes its pages as a Config.Pages func, so neither central nor
// the stores that import it link the handover pages, OIDC or templates.
func TestStoresLinkNoWebSignIn(t *testing.T) {
	goTool := testtool.Require(t, "go")
	const mod = "github.com/borgerkiosk/borgerkiosk/"
	banned := []string{"github.com/coreos/go-oidc", "golang.org/x/oauth2", "html/template", mod + "central/handoverweb"}
	for _, pkg := range []string{"central", "central/badgerstore", "central/postgres", "central/storetest"} {
		out, err := exec.Command(goTool, "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range banned {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					t.Errorf("%s depends on %s (go list -deps); the stores must not link the handover pages", pkg, dep)
				}
			}
		}
	}
}
