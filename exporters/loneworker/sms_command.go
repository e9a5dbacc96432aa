package loneworker

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CommandKind is what an SMS command asks for.
type CommandKind int

// Kinds of SMS command.
const (
	// CmdHelp asks for the commands (HELP, ?).
	CmdHelp CommandKind = iota
	// CmdIn checks in (IN, CHECKIN, CHECK IN).
	CmdIn
	// CmdOut checks out (OUT, CHECKOUT, CHECK OUT).
	CmdOut
	// CmdExtend extends the open session (EXT, EXTEND).
	CmdExtend
)

func (k CommandKind) String() string {
	switch k {
	case CmdIn:
		return "in"
	case CmdOut:
		return "out"
	case CmdExtend:
		return "extend"
	}
	return "help"
}

// Limits on an SMS command.
const (
	// MaxCommandMinutes bounds the minutes of IN and EXT whatever the
	// staff group allows (the catalogue's maximum is checked after).
	MaxCommandMinutes = 720
	// MaxCommandLocation bounds the address of IN, in characters.
	MaxCommandLocation = 200
	// maxCommandBody bounds the whole message (Twilio's own limit).
	maxCommandBody = 1600
	maxGroupWord   = 40
)

// CommandUsage is the reply that says the valid forms (GSM-7, one
// segment with any of the reasons ParseCommand puts before it).
const CommandUsage = "Send IN (group) (minutes) (address), e.g. IN 45 12 High St; OUT to check out; EXT minutes, e.g. EXT 15; HELP."

// Command is a parsed SMS command.
type Command struct {
	Kind CommandKind
	// Group is the staff group as typed, lower case ("" for the officer's
	// first group); the handler resolves ids and aliases (IN only).
	Group string
	// Minutes is the session length (IN: 0 for the group's default) or the
	// extension (EXT: at least 1).
	Minutes int
	// Location is the address as typed, spaces collapsed (IN only; may
	// be "").
	Location string
}

// CommandError is ParseCommand's error: Reply is the SMS to send back
// (the reason, then the valid forms; under 160 GSM-7 characters). Its
// message never holds what was typed.
type CommandError struct {
	Reason string
	Reply  string
}

func (e *CommandError) Error() string { return "sms command: " + e.Reason }

func cmdErr(reason string) error {
	return &CommandError{Reason: reason, Reply: reason + " " + CommandUsage}
}

// unitWords may follow minutes: "IN 45 mins 12 High St", "EXT 15m".
var unitWords = []string{"M", "MIN", "MINS", "MINUTE", "MINUTES"}

// ParseCommand reads an inbound SMS to the lone-worker number:
//
//	IN [group] [minutes] [address…]   check in ("IN" alone: the first group's default length)
//	OUT                               check out (words after it are ignored)
//	EXT <minutes>                     extend the open session
//	HELP                              the commands
//
// Case does not matter, nor extra spaces or a trailing full stop. After IN
// a first word that starts with a letter is the staff group (an id or
// alias the handler resolves); then a word that starts with a digit is
// the minutes (1 to MaxCommandMinutes, optionally followed by "m", "mins",
// …; "12A" is an error, as minutes come before the address); the rest is
// the address (at most MaxCommandLocation characters). A *CommandError
// carries the reply to send back.
func ParseCommand(body string) (Command, error) {
	if len(body) > maxCommandBody {
		return Command{}, cmdErr("Message too long.")
	}
	if !utf8.ValidString(body) {
		return Command{}, cmdErr("Unreadable characters.")
	}
	f := strings.Fields(body)
	if n := len(f); n > 0 {
		f[n-1] = strings.TrimRight(f[n-1], ".")
		if f[n-1] == "" {
			f = f[:n-1]
		}
	}
	if len(f) == 0 {
		return Command{}, cmdErr("Empty message.")
	}
	kw, rest := strings.ToUpper(strings.TrimRight(f[0], ".,!:;")), f[1:]
	if kw == "CHECK" && len(rest) > 0 {
		if w := strings.ToUpper(strings.TrimRight(rest[0], ".,!:;")); w == "IN" || w == "OUT" {
			kw, rest = "CHECK"+w, rest[1:]
		}
	}
	switch kw {
	case "IN", "CHECKIN":
		return parseIn(rest)
	case "OUT", "CHECKOUT":
		return Command{Kind: CmdOut}, nil
	case "EXT", "EXTEND":
		return parseExt(rest)
	case "HELP", "?":
		return Command{Kind: CmdHelp}, nil
	}
	return Command{}, cmdErr("Not understood.")
}

func parseIn(rest []string) (Command, error) {
	c := Command{Kind: CmdIn}
	i := 0
	if i < len(rest) && !numeric(rest[i]) && groupWord(rest[i]) {
		c.Group = strings.ToLower(rest[i])
		i++
	}
	if i < len(rest) && numeric(rest[i]) {
		m, err := minutes(rest[i])
		if err != nil {
			return Command{}, err
		}
		c.Minutes = m
		i++
		if i < len(rest) && isUnit(rest[i]) {
			i++
		}
	}
	loc := strings.Join(rest[i:], " ")
	switch {
	case utf8.RuneCountInString(loc) > MaxCommandLocation:
		return Command{}, cmdErr("Address too long (at most 200 characters).")
	case strings.IndexFunc(loc, unicode.IsControl) >= 0:
		return Command{}, cmdErr("Unreadable characters.")
	}
	c.Location = loc
	return c, nil
}

func parseExt(rest []string) (Command, error) {
	if len(rest) == 0 || !numeric(rest[0]) {
		return Command{}, cmdErr("EXT needs minutes.")
	}
	m, err := minutes(rest[0])
	if err != nil {
		return Command{}, err
	}
	if len(rest) > 2 || (len(rest) == 2 && !isUnit(rest[1])) {
		return Command{}, cmdErr("EXT takes only minutes.")
	}
	return Command{Kind: CmdExtend, Minutes: m}, nil
}

// numeric reports whether w starts with a digit: minutes, or a mistake
// in them ("45x"), never a group.
func numeric(w string) bool { return w != "" && w[0] >= '0' && w[0] <= '9' }

// minutes reads "45", "45m", "45mins".
func minutes(w string) (int, error) {
	digits := strings.TrimRightFunc(w, unicode.IsLetter)
	if unit := w[len(digits):]; unit != "" && !isUnit(unit) {
		return 0, cmdErr("Minutes must be a number, e.g. 45.")
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > MaxCommandMinutes {
		return 0, cmdErr("Minutes must be 1 to 720.")
	}
	return n, nil
}

func isUnit(w string) bool {
	w = strings.ToUpper(w)
	for _, u := range unitWords {
		if w == u {
			return true
		}
	}
	return false
}

// groupWord reports whether w can be a staff group id or alias: a letter,
// then letters, digits, '_' or '-'.
func groupWord(w string) bool {
	if len(w) > maxGroupWord {
		return false
	}
	for i, r := range w {
		switch {
		case r < 128 && unicode.IsLetter(r):
		case i > 0 && (r == '_' || r == '-' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}
