package slack

import (
	"strconv"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/slawatch/slawatch/alerting"
)

// Button action ids; the buttons' value is the incident id.
const (
	ActionIDAck      = "ack"
	ActionIDEscalate = "escalate"
)

// actionsBlockID names the block holding the buttons.
const actionsBlockID = "incident_actions"

// Block Kit limits (Slack rejects longer text with invalid_blocks).
const (
	maxHeader  = 150
	maxSection = 3000
	maxField   = 2000
)

// view is a Message as shown to people: the fields a page shows, times in
// the local zone, no personal data.
type view struct {
	incidentID                int64
	ref, severity, alertName  string
	po, serviceOption, access string
	summary, since            string
	step                      int
	escalated                 bool
}

func (s *Sender) view(m alerting.Message) view {
	since := "unknown"
	if !m.Since.IsZero() {
		since = m.Since.In(s.loc).Format("15:04 Mon 2 Jan")
	}
	ref := m.Ref
	if ref == "" {
		ref = strconv.FormatInt(m.IncidentID, 10)
	}
	return view{
		incidentID: m.IncidentID, ref: ref, severity: strings.ToUpper(orDash(m.Severity)), alertName: orDash(m.AlertName),
		po: m.PO, serviceOption: m.ServiceOption, access: m.AccessNumber,
		summary: m.Summary, since: since, step: m.Step, escalated: m.Escalated,
	}
}

// where is "rbkc/major_emergencies", "rbkc" or "provider".
func (v view) where() string {
	w := v.po
	if w == "" {
		w = "provider"
	}
	if v.serviceOption != "" {
		w += "/" + v.serviceOption
	}
	return w
}

// pageText is the notification text (and what clients without Block Kit show).
func pageText(v view) string {
	return escape(clip(v.severity+" "+v.alertName+" "+v.where()+" since "+v.since+": "+oneLine(v.summary)+" (ref "+v.ref+")", maxSection))
}

// pageBlocks is the page: header, details, who is paged, and the buttons.
func pageBlocks(v view, mention string) []slackgo.Block {
	b := detailBlocks(v)
	if mention != "" {
		b = append(b, contextBlock("Paging "+mention))
	}
	id := strconv.FormatInt(v.incidentID, 10)
	b = append(b, slackgo.NewActionBlock(actionsBlockID,
		slackgo.NewButtonBlockElement(ActionIDAck, id, plain("Acknowledge")).WithStyle(slackgo.StylePrimary),
		slackgo.NewButtonBlockElement(ActionIDEscalate, id, plain("Escalate")),
	))
	return b
}

// closedBlocks is the page after it was acknowledged or resolved: the
// details without the buttons, and line.
func closedBlocks(v view, line string) []slackgo.Block {
	return append(detailBlocks(v), contextBlock(line))
}

// noticeText and noticeBlocks are a short new message when there is no
// earlier page to update.
func noticeText(v view, line string) string {
	return clip(escape(v.alertName+" "+v.where()+" (ref "+v.ref+"): ")+line, maxSection)
}

func noticeBlocks(v view, line string) []slackgo.Block {
	return []slackgo.Block{slackgo.NewSectionBlock(mrkdwn(noticeText(v, line)), nil, nil)}
}

func detailBlocks(v view) []slackgo.Block {
	po := v.po
	if po == "" {
		po = "provider"
	}
	fields := []*slackgo.TextBlockObject{field("PO", po)}
	if v.serviceOption != "" {
		fields = append(fields, field("Service option", v.serviceOption))
	}
	if v.access != "" {
		fields = append(fields, field("Access number", v.access))
	}
	fields = append(fields, field("Since", v.since), field("Ref", v.ref))
	summary := v.summary
	if strings.TrimSpace(summary) == "" {
		summary = v.alertName
	}
	b := []slackgo.Block{
		slackgo.NewHeaderBlock(plain(clip(v.severity+" · "+v.alertName, maxHeader))),
		slackgo.NewSectionBlock(mrkdwn(clip(escape(summary), maxSection)), fields, nil),
	}
	if v.escalated {
		b = append(b, contextBlock("Escalated (step "+strconv.Itoa(v.step+1)+"): the people paged before did not acknowledge."))
	}
	return b
}

// closedLine is the line that replaces the buttons: "Acknowledged by
// <@U…> via slack at 02:10" or "Resolved at 02:30" (at in local time).
func closedLine(m alerting.Message, at time.Time) string {
	hm := at.Format("15:04")
	if m.Kind == alerting.MessageResolved {
		return "Resolved at " + hm
	}
	line := "Acknowledged by " + who(m.By)
	if m.Via != "" {
		line += " via " + escape(m.Via)
	}
	return line + " at " + hm
}

// who is a mention for a Slack member id, else the catalogue's person id.
func who(by string) string {
	switch {
	case by == "":
		return "someone"
	case isMemberID(by):
		return "<@" + by + ">"
	}
	return escape(by)
}

// isMemberID reports whether s looks like a Slack member id (U… or W…,
// upper-case letters and digits).
func isMemberID(s string) bool {
	if len(s) < 3 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// afterAction is the page's blocks after a button press: orig (the
// message's blocks from the callback) with the buttons removed unless
// keepButtons, and line added. Without orig it is line alone.
func afterAction(orig []slackgo.Block, line string, keepButtons bool) []slackgo.Block {
	var b []slackgo.Block
	var actions slackgo.Block
	for _, blk := range orig {
		if blk.BlockType() == slackgo.MBTAction {
			actions = blk
			continue
		}
		b = append(b, blk)
	}
	if len(b) == 0 {
		return []slackgo.Block{slackgo.NewSectionBlock(mrkdwn(clip(line, maxSection)), nil, nil)}
	}
	b = append(b, contextBlock(line))
	if keepButtons && actions != nil {
		b = append(b, actions)
	}
	return b
}

func plain(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, true, false)
}

func mrkdwn(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, false)
}

func field(name, value string) *slackgo.TextBlockObject {
	return mrkdwn(clip("*"+name+"*\n"+escape(value), maxField))
}

func contextBlock(s string) *slackgo.ContextBlock {
	return slackgo.NewContextBlock("", mrkdwn(clip(s, maxSection)))
}

// escape keeps alert text from becoming Slack markup (a summary holding
// "<!channel>" must not notify a channel).
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
