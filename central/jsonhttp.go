package central

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// JSON over HTTP: how central writes its answers and reads and checks
// request bodies. The wire types themselves are in the root package.

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(bk.ErrorResponse{Code: bk.EInternal, Message: "An internal error occurred."})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, bk.ErrorResponse{Code: code, Message: message})
}

// jsonContent refuses a body that says it is not JSON. A missing
// Content-Type is taken as JSON.
func (s *Server) jsonContent(w http.ResponseWriter, r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		return true
	}
	s.fail(w, r, bk.Errorf(ECodeUnsupportedMedia, "The request body must be application/json."))
	return false
}

// readBody reads at most limit bytes of the body.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, bk.Errorf(ECodeTooLarge, "The request body is larger than %d bytes.", limit)
	}
	if err != nil {
		return nil, bk.Errorf(bk.EInvalid, "The request body could not be read.")
	}
	return b, nil
}

// DecodeJSON decodes exactly one JSON value from b into v with
// bk.UnmarshalStrict (exact-case keys, no duplicates, no unknown fields, no
// trailing data); every request body central reads goes through it. Errors
// are *bk.Error (EInvalid).
func DecodeJSON(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return bk.Errorf(bk.EInvalid, "The request body is empty; a JSON object is expected.")
	}
	return bk.UnmarshalStrict(b, v)
}

// DecodePush decodes a push request body and checks its shape: the limits
// bk.MaxPushBytes and bk.MaxPushActions, an incarnation, and a sequence
// number and envelope in every item. Bad input is an *bk.Error, never a
// panic.
func DecodePush(b []byte) (*bk.PushRequest, error) {
	if len(b) > bk.MaxPushBytes {
		return nil, bk.Errorf(ECodeTooLarge, "A push batch may be at most %d bytes.", bk.MaxPushBytes)
	}
	var req bk.PushRequest
	if err := DecodeJSON(b, &req); err != nil {
		return nil, err
	}
	if req.Kiosk == "" {
		return nil, bk.Errorf(bk.EInvalid, "kiosk is required")
	}
	if !validName(req.Incarnation, 128) {
		return nil, bk.Errorf(bk.EInvalid, "incarnation must be 1 to 128 letters, digits, '-', '_' or '.'")
	}
	if len(req.Actions) > bk.MaxPushActions {
		return nil, bk.Errorf(ECodeTooLarge, "A push batch may hold at most %d actions.", bk.MaxPushActions)
	}
	for i, it := range req.Actions {
		if it.Seq == 0 {
			return nil, bk.Errorf(bk.EInvalid, "actions[%d]: seq must be 1 or more", i)
		}
		if it.Action == nil {
			return nil, bk.Errorf(bk.EInvalid, "actions[%d]: envelope is required", i)
		}
	}
	return &req, nil
}

// validName accepts ids made of ASCII letters, digits, '-', '_' and '.'.
func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
