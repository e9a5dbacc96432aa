package testprom

// Tail is the last n bytes of s, after "..." when s is longer: the end of a
// log or an answer for a failure message.
func Tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
