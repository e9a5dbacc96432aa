package loneworker

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slawatch/slawatch/alerting/sms"
)

func TestParseCommandGood(t *testing.T) {
	for _, c := range []struct {
		body string
		want Command
	}{
		{"IN", Command{Kind: CmdIn}},
		{"in", Command{Kind: CmdIn}},
		{"  In.  ", Command{Kind: CmdIn}},
		{"IN 45 12 High St", Command{Kind: CmdIn, Minutes: 45, Location: "12 High St"}},
		{"IN 45 12 High St.", Command{Kind: CmdIn, Minutes: 45, Location: "12 High St"}},
		{"in   45   12  High   St", Command{Kind: CmdIn, Minutes: 45, Location: "12 High St"}},
		{"in asb 30", Command{Kind: CmdIn, Group: "asb", Minutes: 30}},
		{"IN Enforcement", Command{Kind: CmdIn, Group: "enforcement"}},
		{"IN anti_social_behaviour 90 Flat 2, 3 Elm Rd N17", Command{Kind: CmdIn, Group: "anti_social_behaviour", Minutes: 90, Location: "Flat 2, 3 Elm Rd N17"}},
		{"IN 45mins 12 High St", Command{Kind: CmdIn, Minutes: 45, Location: "12 High St"}},
		{"IN 45 min 12 High St", Command{Kind: CmdIn, Minutes: 45, Location: "12 High St"}},
		{"IN 30m", Command{Kind: CmdIn, Minutes: 30}},
		{"IN 45 12A Elm Rd", Command{Kind: CmdIn, Minutes: 45, Location: "12A Elm Rd"}},
		{"IN 45 Rue de l'Église", Command{Kind: CmdIn, Minutes: 45, Location: "Rue de l'Église"}},
		{"IN 720", Command{Kind: CmdIn, Minutes: 720}},
		{"check in 20", Command{Kind: CmdIn, Minutes: 20}},
		{"CHECKIN enf 20", Command{Kind: CmdIn, Group: "enf", Minutes: 20}},
		{"OUT", Command{Kind: CmdOut}},
		{"out.", Command{Kind: CmdOut}},
		{"Out, all fine", Command{Kind: CmdOut}},
		{"Check out", Command{Kind: CmdOut}},
		{"checkout", Command{Kind: CmdOut}},
		{"EXT 15", Command{Kind: CmdExtend, Minutes: 15}},
		{"ext 15 mins.", Command{Kind: CmdExtend, Minutes: 15}},
		{"Extend 20m", Command{Kind: CmdExtend, Minutes: 20}},
		{"help", Command{Kind: CmdHelp}},
		{"?", Command{Kind: CmdHelp}},
	} {
		got, err := ParseCommand(c.body)
		if err != nil || got != c.want {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v", c.body, got, err, c.want)
		}
	}
}

func TestParseCommandBad(t *testing.T) {
	long := "IN 30 " + strings.Repeat("a", MaxCommandLocation+1)
	for _, c := range []struct{ body, reply string }{
		{"", "Empty message. " + CommandUsage},
		{" . ", "Empty message. " + CommandUsage},
		{"hello", "Not understood. " + CommandUsage},
		{"INN 45", "Not understood. " + CommandUsage},
		{"IN 0", "Minutes must be 1 to 720. " + CommandUsage},
		{"IN 721 12 High St", "Minutes must be 1 to 720. " + CommandUsage},
		{"IN 99999999999999999999", "Minutes must be 1 to 720. " + CommandUsage},
		{"IN 45x", "Minutes must be a number, e.g. 45. " + CommandUsage},
		{"IN 12A Elm Rd", "Minutes must be a number, e.g. 45. " + CommandUsage}, // minutes come before the address
		{"IN asb 0", "Minutes must be 1 to 720. " + CommandUsage},
		{long, "Address too long (at most 200 characters). " + CommandUsage},
		{"IN 30 12\x00High St", "Unreadable characters. " + CommandUsage},
		{"IN 30 \xff", "Unreadable characters. " + CommandUsage},
		{"EXT", "EXT needs minutes. " + CommandUsage},
		{"EXT fifteen", "EXT needs minutes. " + CommandUsage},
		{"EXT 0", "Minutes must be 1 to 720. " + CommandUsage},
		{"EXT 15 please", "EXT takes only minutes. " + CommandUsage},
		{strings.Repeat("x", 1601), "Message too long. " + CommandUsage},
	} {
		_, err := ParseCommand(c.body)
		var ce *CommandError
		if !errors.As(err, &ce) {
			t.Errorf("ParseCommand(%.30q) error %v; want a *CommandError", c.body, err)
			continue
		}
		if ce.Reply != c.reply {
			t.Errorf("ParseCommand(%.30q) reply\n %q; want\n %q", c.body, ce.Reply, c.reply)
		}
		checkSMSReply(t, ce.Reply)
		if strings.Contains(err.Error(), "High St") {
			t.Errorf("error %q holds what was typed", err)
		}
	}
}

// checkSMSReply fails unless reply is one GSM-7 segment.
func checkSMSReply(t *testing.T, reply string) {
	t.Helper()
	if reply == "" || utf8.RuneCountInString(reply) >= 160 {
		t.Errorf("reply %q: %d characters; want 1 to 159", reply, utf8.RuneCountInString(reply))
	}
	for _, r := range reply {
		if !sms.IsGSM(r) {
			t.Errorf("reply %q: %q is not in the GSM-7 default alphabet", reply, r)
		}
	}
}

func TestGroupAliases(t *testing.T) {
	groups := []string{"enforcement", "anti_social_behaviour"}
	for word, want := range map[string]string{
		"enforcement": "enforcement", "ENF": "enforcement", "e": "enforcement",
		"asb": "anti_social_behaviour", "anti": "anti_social_behaviour", "antisocial": "anti_social_behaviour",
		"anti_social": "anti_social_behaviour", "x": "", "": "", "_": "", "enforcements": "",
	} {
		got, ok := resolveGroup(word, groups)
		if got != want || ok != (want != "") {
			t.Errorf("resolveGroup(%q) = %q, %v; want %q", word, got, ok, want)
		}
	}
	if got, ok := resolveGroup("a", []string{"alpha", "anti_social"}); ok {
		t.Errorf("resolveGroup(a) of two groups starting with a = %q; want no match", got)
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"IN", "IN 45 12 High St", "in asb 30", "OUT", "EXT 15", "HELP", "EXT", "IN 0", "IN 45x",
		"check in 20 mins Flat 1", "IN 30 \xff", "EXT 15 mins.", "  .  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c, err := ParseCommand(body)
		if err != nil {
			var ce *CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CommandError", err)
			}
			checkSMSReply(t, ce.Reply)
			return
		}
		switch c.Kind {
		case CmdIn:
			if c.Minutes < 0 || c.Minutes > MaxCommandMinutes || utf8.RuneCountInString(c.Location) > MaxCommandLocation ||
				!utf8.ValidString(c.Location) || (c.Group != "" && !groupWord(c.Group)) {
				t.Fatalf("IN %+v out of bounds", c)
			}
		case CmdExtend:
			if c.Minutes < 1 || c.Minutes > MaxCommandMinutes {
				t.Fatalf("EXT %+v out of bounds", c)
			}
		case CmdOut, CmdHelp:
			if c.Minutes != 0 || c.Location != "" || c.Group != "" {
				t.Fatalf("%v with arguments %+v", c.Kind, c)
			}
		default:
			t.Fatalf("kind %d", c.Kind)
		}
	})
}
