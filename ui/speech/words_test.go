package speech

import (
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
)

func TestWords(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	da, en := i18n.Danish, i18n.English
	for _, tt := range []struct {
		lang     i18n.Lang
		in, want string
	}{
		{da, "Koden virker til 15.12.2026 20:00.", "Koden virker til 15. december klokken 20."},
		{da, "Koden virker til 16.03.2026 09:05.", "Koden virker til 16. marts klokken 9:05."},
		{da, "Gælder fra 02.03.2026 til 02.03.2027", "Gælder fra 2. marts til 2. marts 2027"},
		{da, "Tidspunkt: 26.11.2026 kl. 14.05", "Tidspunkt: 26. november klokken 14:05"},
		{da, "Sådan så det ud kl. 02.03.2026 10:00.", "Sådan så det ud 2. marts klokken 10."},
		{da, "Gælder fra 2. marts 2026 til 2. marts 2027", "Gælder fra 2. marts til 2. marts 2027"},
		{da, "Tidspunkt: 26. november 2026 kl. 14.05", "Tidspunkt: 26. november klokken 14:05"},
		{da, "Koden virker til 5. marts 2026 kl. 11.00.", "Koden virker til 5. marts klokken 11."},
		{en, "Valid from 2 March 2026 to 2 March 2027", "Valid from 2 March to 2 March 2027"},
		{da, "Fra Karen H., CPR 010180-xxxx", "Fra Karen H., født 1. januar 1980"},
		{da, "Karen Hansen (010180-xxxx) vil give dig fuldmagt.", "Karen Hansen (født 1. januar 1980) vil give dig fuldmagt."},
		{da, "CPR: 020275-xxxx", "født 2. februar 1975"},
		{da, "Til: personen med CPR-nummer 050511-xxxx", "Til: personen født 5. maj 2011"},
		{da, "CPR 311312-xxxx", "et CPR-nummer"}, // month 13 is no date: say so, read no digits
		{da, "Handling 0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b er gemt.", "Handling er gemt."},
		{en, "The code works until 15.12.2026 20:00.", "The code works until 15 December at 8 pm."},
		{en, "Time: 26 November 2026, 14:05", "Time: 26 November at 2:05 pm"},
		{en, "From Karen H., CPR 010180-xxxx", "From Karen H., born 1 January 1980"},
		{en, "the person with CPR number 020275-xxxx", "the person born 2 February 1975"},
		{en, "Valid until 01.01.2027", "Valid until 1 January 2027"},
		{da, "Lyd 50 %. Version 1.2.3 og 12.5 kr.", "Lyd 50 %. Version 1.2.3 og 12.5 kr."}, // no date, no change
	} {
		if got := Words(tt.lang, tt.in, now); got != tt.want {
			t.Errorf("Words(%s, %q) = %q; want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}
