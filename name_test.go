package borgerkiosk_test

import (
	"strings"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bk.NameProblem
	}{
		{"Peter Hansen", bk.NameOK},
		{"Søren Ærø-Åberg", bk.NameOK},
		{"Bo", bk.NameOK},
		{"Renée", bk.NameOK},
		{strings.Repeat("a", bk.MaxNameRunes), bk.NameOK},
		{"", bk.NameEmpty},
		{"   ", bk.NameEmpty},
		{"B", bk.NameTooShort},
		{strings.Repeat("æ", bk.MaxNameRunes+1), bk.NameTooLong},
		{"Peter2", bk.NameBadChar},
		{"Peter.", bk.NameBadChar},
		{"Peter\tHansen", bk.NameBadChar},
		{"-Peter", bk.NameBadJoin},
		{"Peter-", bk.NameBadJoin},
		{"Peter  Hansen", bk.NameBadJoin},
		{"Peter -Hansen", bk.NameBadJoin},
		{" Peter", bk.NameBadJoin},
	} {
		if got := bk.CheckName(tc.in); got != tc.want {
			t.Errorf("CheckName(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
	if bk.NameOK.Err() != nil || bk.ErrorCode(bk.NameBadChar.Err()) != bk.EBadName {
		t.Errorf("Err: NameOK gives %v, NameBadChar code %q; want nil, %q", bk.NameOK.Err(), bk.ErrorCode(bk.NameBadChar.Err()), bk.EBadName)
	}
}

func TestNormalName(t *testing.T) {
	if got := bk.NormalName("  Peter   Hansen "); got != "Peter Hansen" {
		t.Errorf("NormalName = %q; want %q", got, "Peter Hansen")
	}
}
