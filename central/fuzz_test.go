package central_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// FuzzPushDecode feeds arbitrary bytes to the push decoder and to the checks
// central runs on each action before it touches the store: none may panic,
// and every refusal must be a domain error with a code.
func FuzzPushDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "push", "*.json"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	issuer := fixture.NewIssuer()
	card := issuer.Citizen("010190-1234", "Karen Larsen")
	a := fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: bk.NewID(time.Now())}, card, nil, time.Now())
	good, _ := json.Marshal(bk.PushRequest{Kiosk: "k", Incarnation: "i", Actions: []bk.PushItem{{Seq: 1, Hash: a.ContentHash(), Action: a}}})
	f.Add(good)
	trust := issuer.Trust()
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := central.DecodePush(b)
		if err != nil {
			if bk.ErrorCode(err) == bk.EInternal {
				t.Fatalf("DecodePush refused with a non-domain error: %v", err)
			}
			return
		}
		for _, it := range req.Actions {
			it.Action.ContentHash()
			if it.Action.Validate() != nil {
				continue
			}
			it.Action.Subject()
			trust.VerifyAction(it.Action)
		}
	})
}
