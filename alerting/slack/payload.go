package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	slackgo "github.com/slack-go/slack"

	"github.com/slawatch/slawatch/alerting"
)

// press is a button press from a block_actions callback.
type press struct {
	IncidentID int64
	Action     string // alerting.ActionAcknowledge or ActionEscalate
	ActionID   string // ActionIDAck or ActionIDEscalate
	User       string // the member who pressed
	// Channel and TS name the message holding the button ("" when the
	// payload has none: then it is not updated).
	Channel, TS string
	// Blocks are the message's blocks, to redraw it after the press.
	Blocks []slackgo.Block
}

// parsePress parses an interactive callback body (form-encoded, with the
// JSON in the field "payload") into a press of one of our buttons.
func parsePress(body []byte) (press, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return press{}, fmt.Errorf("body is not form-encoded: %v", err)
	}
	raw := form.Get("payload")
	if raw == "" {
		return press{}, errors.New(`missing form field "payload"; Slack sends payload=<JSON>`)
	}
	var ic slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(raw), &ic); err != nil {
		return press{}, fmt.Errorf("payload is not an interaction JSON object: %v", err)
	}
	if ic.Type != slackgo.InteractionTypeBlockActions {
		return press{}, fmt.Errorf("interaction type %q; this endpoint handles %q from the page buttons", clip(string(ic.Type), 40), slackgo.InteractionTypeBlockActions)
	}
	var a *slackgo.BlockAction
	for _, ba := range ic.ActionCallback.BlockActions {
		if ba != nil && (ba.ActionID == ActionIDAck || ba.ActionID == ActionIDEscalate) {
			a = ba
			break
		}
	}
	if a == nil {
		return press{}, fmt.Errorf("no action with action_id %q or %q in the payload", ActionIDAck, ActionIDEscalate)
	}
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil || id <= 0 {
		return press{}, fmt.Errorf("action value %q is not an incident id (a positive integer)", clip(a.Value, 40))
	}
	if ic.User.ID == "" {
		return press{}, errors.New("payload has no user.id")
	}
	p := press{IncidentID: id, ActionID: a.ActionID, Action: alerting.ActionAcknowledge, User: ic.User.ID,
		Channel: ic.Container.ChannelID, TS: ic.Container.MessageTs, Blocks: ic.Message.Blocks.BlockSet}
	if a.ActionID == ActionIDEscalate {
		p.Action = alerting.ActionEscalate
	}
	if p.Channel == "" {
		p.Channel = ic.Channel.ID
	}
	if p.TS == "" {
		p.TS = ic.Message.Timestamp
	}
	return p, nil
}
