package borgerkiosk

import (
	"errors"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// UnmarshalStrict decodes exactly one JSON value from b into v, the way the
// API documents it for every request body: an object key must match a
// field's name exactly (letter case too), may appear only once (nested and
// raw values included), unknown keys and data after the value are refused.
// Why so strict: two readers of the same signed or logged bytes must never
// see different values ("cpr" vs "CPR", the first or the last of two keys).
// Failures are *Error with code EInvalid; an *Error a field's own decoder
// returns (an invalid CPR number, say) keeps its message.
func UnmarshalStrict(b []byte, v any) error {
	err := jsonv2.Unmarshal(b, v, jsonv2.RejectUnknownMembers(true), jsontext.AllowDuplicateNames(false),
		jsonv2.MatchCaseInsensitiveNames(false))
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return Errorf(EInvalid, "%s", e.Message)
	}
	return Errorf(EInvalid, "%s", strictMessage(err))
}

// strictMessage says what is wrong in words a developer calling the API
// can act on, with where it was found.
func strictMessage(err error) string {
	var se *jsonv2.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &syn) && errors.Is(syn.Err, jsontext.ErrDuplicateName):
		return "duplicate key at " + string(syn.JSONPointer) + " in the JSON: a key may appear only once"
	case errors.As(err, &se) && errors.Is(se.Err, jsonv2.ErrUnknownName):
		return "unknown key at " + string(se.JSONPointer) + " in the JSON (keys are matched exactly, letter case too)"
	}
	return "not valid JSON of the expected shape: " + err.Error()
}
