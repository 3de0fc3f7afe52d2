package sync

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	gosync "sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// fakeCentral is a small working central for unit tests of the client and
// pusher: enrolment, push with central's sequence rules (duplicate, fork,
// gap), and a signed trust bundle. The end-to-end tests use the real one.
type fakeCentral struct {
	key    ed25519.PrivateKey
	trust  *bk.Trust
	bundle *bk.TrustBundle

	mu      gosync.Mutex
	tokens  map[string]bool
	kiosks  map[string]ed25519.PublicKey
	last    map[string]uint64 // kiosk/incarnation → last seq
	hashes  map[string][][]byte
	applied []string // action ids in apply order
	pushes  int
	fail401 bool
}

func newFakeCentral(iss *fixture.Issuer, tokens ...string) *fakeCentral {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	f := &fakeCentral{key: key, trust: iss.Trust(), tokens: map[string]bool{}, kiosks: map[string]ed25519.PublicKey{},
		last: map[string]uint64{}, hashes: map[string][][]byte{}}
	for _, t := range tokens {
		f.tokens[t] = true
	}
	f.bundle = &bk.TrustBundle{IssuedAt: time.Now().UTC().Truncate(time.Second), MaxAgeSecs: 3600, Issuers: []bk.IssuerKey{iss.PublicKey()}, Catalogue: *fixture.Catalogue()}
	return f
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(bk.ErrorResponse{Code: code, Message: msg})
}

// auth checks a kiosk request like central does; code is the error code
// of a refusal, "" when the request is good.
func (f *fakeCentral) auth(r *http.Request, body []byte) (kiosk, code string) {
	id, ts, sig, err := bk.ParseKioskAuth(r.Header.Get(bk.KioskAuthHeader))
	if err != nil {
		return "", bk.EUnauthorized
	}
	f.mu.Lock()
	pub, ok := f.kiosks[id]
	fail := f.fail401
	f.mu.Unlock()
	if !ok || fail {
		return "", bk.EUnknownKiosk
	}
	return id, bk.ErrorCode(bk.VerifyKioskRequest(pub, r.Method, r.URL.Path, body, ts, sig, time.Now(), 5*time.Minute))
}

func (f *fakeCentral) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch r.Method + " " + r.URL.Path {
	case "POST /v1/enroll":
		var req bk.EnrollRequest
		if json.Unmarshal(body, &req) != nil {
			writeErr(w, 400, bk.EInvalid, "bad body")
			return
		}
		f.mu.Lock()
		ok := f.tokens[req.Token]
		delete(f.tokens, req.Token)
		if ok {
			f.kiosks[req.KioskID] = req.PublicKey
			f.fail401 = false
		}
		f.mu.Unlock()
		if !ok {
			writeErr(w, 401, bk.EUnauthorized, "bad token")
			return
		}
		json.NewEncoder(w).Encode(bk.EnrollResponse{KioskID: req.KioskID, CentralKey: f.key.Public().(ed25519.PublicKey)})
	case "GET /v1/trust-bundle":
		if _, code := f.auth(r, body); code != "" {
			writeErr(w, 401, code, "who are you")
			return
		}
		f.mu.Lock()
		sb, _ := bk.SignBundle(f.bundle, f.key)
		f.mu.Unlock()
		json.NewEncoder(w).Encode(sb)
	case "POST /v1/citizen/nonce":
		if _, code := f.auth(r, body); code != "" {
			writeErr(w, 401, code, "who are you")
			return
		}
		n := make([]byte, 32)
		rand.Read(n)
		json.NewEncoder(w).Encode(map[string][]byte{"nonce": n})
	case "POST /v1/push":
		kiosk, code := f.auth(r, body)
		if code != "" {
			writeErr(w, 401, code, "who are you")
			return
		}
		var req bk.PushRequest
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&req); err != nil || req.Kiosk != kiosk {
			writeErr(w, 400, bk.EInvalid, "bad body")
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.pushes++
		k := kiosk + "/" + req.Incarnation
		resp := bk.PushResponse{}
		for _, it := range req.Actions {
			last := f.last[k]
			switch {
			case it.Seq <= last:
				if !bytes.Equal(f.hashes[k][it.Seq-1], it.Hash) {
					writeErr(w, 409, "fork", "content differs for a sequence number already stored")
					return
				}
				resp.Verdicts = append(resp.Verdicts, bk.Verdict{ActionID: it.Action.ID, Seq: it.Seq, Outcome: bk.Duplicate})
			case it.Seq == last+1:
				v := bk.Verdict{ActionID: it.Action.ID, Seq: it.Seq, Outcome: bk.Applied}
				if _, _, err := f.trust.VerifyAction(it.Action); err != nil {
					v = bk.Refuse(it.Action.ID, err)
					v.Seq = it.Seq
				} else {
					f.applied = append(f.applied, it.Action.ID)
				}
				f.hashes[k] = append(f.hashes[k], it.Hash)
				f.last[k] = it.Seq
				resp.Verdicts = append(resp.Verdicts, v)
			}
		}
		resp.LastSeq = f.last[k]
		json.NewEncoder(w).Encode(resp)
	default:
		writeErr(w, 404, bk.ENotFound, "no such endpoint")
	}
}

func (f *fakeCentral) appliedIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.applied...)
}
