package twiliofake

import "strings"

// The GSM 03.38 default alphabet (LF and CR included) and its extension
// table, whose characters cost two septets.
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "\f^{}\\[~]|€"
)

// segments is how many SMS segments body takes and in which encoding:
// GSM-7 (160 a segment, 153 when concatenated) when every character is
// in the GSM alphabet, else UCS-2 (70, 67 when concatenated; characters
// beyond the BMP take two units).
func segments(body string) (int, string) {
	septets, gsm := 0, true
	units := 0
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			septets++
		case strings.ContainsRune(gsmExtension, r):
			septets += 2
		default:
			gsm = false
		}
		units++
		if r > 0xFFFF {
			units++
		}
	}
	if gsm {
		return count(septets, 160, 153), "GSM-7"
	}
	return count(units, 70, 67), "UCS-2"
}

func count(n, single, multi int) int {
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}
