package borgerkiosk_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// strictTarget holds the request body types central decodes, so one
// decode exercises nested objects, raw values, byte strings, times and
// the CPR type.
type strictTarget struct {
	Push    *bk.PushRequest    `json:"push,omitempty"`
	Consent *bk.ConsentRequest `json:"consent,omitempty"`
	Enroll  *bk.EnrollRequest  `json:"enroll,omitempty"`
	Auth    *bk.CitizenAuth    `json:"auth,omitempty"`
}

func TestUnmarshalStrict(t *testing.T) {
	env := `{"action_id":"a","kind":"give_consent","occurred_at":"2026-01-02T03:04:05Z","kiosk":"k",` +
		`"payload":%s,"actor_serial":"s","actor_cert":"","actor_signature":""}`
	push := func(payload string) string {
		return `{"push":{"kiosk":"k","incarnation":"i","actions":[{"seq":1,"hash":"","envelope":` +
			strings.Replace(env, "%s", payload, 1) + `}]}}`
	}
	for _, tc := range []struct {
		name, in string
		ok       bool
		msg      string // in the message of a refusal
	}{
		{"exact keys", `{"consent":{"cpr":"010190-1234","valid_days":30}}`, true, ""},
		{"nested raw payload", push(`{"consent_id":"c"}`), true, ""},
		{"upper-case key", `{"consent":{"CPR":"010190-1234"}}`, false, "/consent/CPR"},
		{"mixed-case key", `{"consent":{"Valid_Days":3}}`, false, "letter case"},
		{"upper-case top key", `{"Consent":{}}`, false, "/Consent"},
		{"duplicate key", `{"consent":{"cpr":"010190-1234","cpr":"020285-4321"}}`, false, "duplicate key at /consent"},
		{"duplicate top key", `{"auth":{},"auth":{}}`, false, "duplicate key"},
		{"duplicate key in a raw payload", push(`{"consent_id":"a","consent_id":"b"}`), false, "duplicate key"},
		{"duplicate key in a list item", `{"push":{"actions":[{"seq":1,"seq":2}]}}`, false, "duplicate key"},
		{"unknown key", `{"consent":{"cprx":"010190-1234"}}`, false, "unknown key at /consent/cprx"},
		{"trailing data", `{"auth":{}} {}`, false, ""},
		{"trailing bracket", `{"auth":{}}]`, false, ""},
		{"two values", `{}{}`, false, ""},
		{"not an object", `[1]`, false, ""},
		{"cut off", `{"auth":{`, false, ""},
		{"invalid CPR keeps its message", `{"consent":{"cpr":"320190-1234"}}`, false, "CPR"},
		{"invalid UTF-8", "{\"enroll\":{\"site\":\"\xff\"}}", false, ""},
	} {
		var v strictTarget
		err := bk.UnmarshalStrict([]byte(tc.in), &v)
		if tc.ok != (err == nil) {
			t.Errorf("UnmarshalStrict(%s: %s) = %v; want ok %v", tc.name, tc.in, err, tc.ok)
			continue
		}
		if err != nil && (bk.ErrorCode(err) != bk.EInvalid || !strings.Contains(bk.ErrorMessage(err), tc.msg)) {
			t.Errorf("UnmarshalStrict(%s) = %q %q; want %q with %q", tc.name, bk.ErrorCode(err), bk.ErrorMessage(err), bk.EInvalid, tc.msg)
		}
	}
}

// FuzzUnmarshalStrict checks UnmarshalStrict against an independent reader
// written with encoding/json's tokens: whatever it accepts has no
// duplicate key and no key that differs from a field name only in letter
// case, anywhere, and means what encoding/json reads in it; whatever holds
// a duplicate or a case variant is refused. Refusals are always EInvalid.
func FuzzUnmarshalStrict(f *testing.F) {
	for _, s := range []string{
		`{"consent":{"cpr":"010190-1234","purpose":{"da":"a","en":"b"},"data_categories":["health"],"valid_days":30}}`,
		`{"consent":{"CPR":"010190-1234"}}`,
		`{"consent":{"cpr":"010190-1234","cpr":"020285-4321"}}`,
		`{"enroll":{"token":"t","kiosk_id":"k","site":"s","public_key":"AAAA"}}`,
		`{"auth":{"nonce":"AAAA","cert":"","signature":""},"auth":null}`,
		`{"push":{"kiosk":"k","incarnation":"i","actions":[{"seq":1,"hash":"","envelope":{"action_id":"a","kind":"give_consent",` +
			`"occurred_at":"2026-01-02T03:04:05Z","kiosk":"k","payload":{"consent_id":"c","Consent_ID":"d"},"actor_serial":"s"}}]}}`,
	} {
		f.Add([]byte(s))
	}
	names := jsonNames(reflect.TypeFor[strictTarget](), map[string]bool{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var v strictTarget
		err := bk.UnmarshalStrict(b, &v)
		if err != nil && bk.ErrorCode(err) != bk.EInvalid {
			t.Fatalf("UnmarshalStrict refused with code %q: %v", bk.ErrorCode(err), err)
		}
		dup, variant, walkErr := looseKeys(b, names)
		if err != nil {
			return
		}
		if walkErr != nil || dup != "" || variant != "" {
			t.Fatalf("UnmarshalStrict accepted %q (duplicate %q, case variant %q, reading: %v)", b, dup, variant, walkErr)
		}
		var loose strictTarget
		if err := json.Unmarshal(b, &loose); err != nil || !reflect.DeepEqual(mustMarshal(t, v), mustMarshal(t, loose)) {
			t.Fatalf("UnmarshalStrict and encoding/json read %q differently (%v)", b, err)
		}
	})
}

func mustMarshal(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsonNames collects the JSON field names of t and the types inside it.
func jsonNames(t reflect.Type, names map[string]bool) map[string]bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return jsonNames(t.Elem(), names)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" || name == "" || names[name] {
				continue
			}
			names[name] = true
			jsonNames(f.Type, names)
		}
	}
	return names
}

// looseKeys reads b with encoding/json's tokens and returns the first key
// that appears twice in one object and the first key that matches a name
// only when letter case is ignored.
func looseKeys(b []byte, names map[string]bool) (dup, variant string, err error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		object  bool
		keys    map[string]bool
		key     bool   // the next token in this object is a key
		lastKey string // the key whose value is being read
		raw     bool   // inside an action payload, kept raw: names are checked later (DecodePayload)
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return dup, variant, nil
		}
		if err != nil {
			return dup, variant, err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if k, ok := tok.(string); ok {
				if top.keys[k] && dup == "" {
					dup = k
				}
				top.keys[k], top.lastKey = true, k
				if !names[k] && !top.raw && variant == "" {
					for n := range names {
						if strings.EqualFold(n, k) {
							variant = k
						}
					}
				}
				top.key = false
				continue
			}
		}
		raw := top != nil && (top.raw || top.object && top.lastKey == "payload")
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, key: true, raw: raw})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{raw: raw})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true // a value ended
		}
	}
}
