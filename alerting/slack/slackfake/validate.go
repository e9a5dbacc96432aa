package slackfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits that Slack enforces with invalid_blocks.
const (
	maxBlocks        = 50
	maxHeaderText    = 150
	maxSectionText   = 3000
	maxSectionFields = 10
	maxFieldText     = 2000
	maxActions       = 25
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxContextElems  = 10
)

type text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type     string `json:"type"`
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
	Text     *text  `json:"text"`
}

type block struct {
	Type     string            `json:"type"`
	BlockID  string            `json:"block_id"`
	Text     *text             `json:"text"`
	Fields   []text            `json:"fields"`
	Elements []json.RawMessage `json:"elements"`
}

// validateBlocks checks the parts of Block Kit that package slack uses:
// the block types, their text types and lengths, and unique action ids.
func validateBlocks(raw []byte) error {
	var blocks []block
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return err
	}
	if len(blocks) > maxBlocks {
		return fmt.Errorf("%d blocks, at most %d", len(blocks), maxBlocks)
	}
	actionIDs := map[string]bool{}
	blockIDs := map[string]bool{}
	for i, b := range blocks {
		if b.BlockID != "" {
			if blockIDs[b.BlockID] {
				return fmt.Errorf("block %d: duplicate block_id %q", i, b.BlockID)
			}
			blockIDs[b.BlockID] = true
		}
		if err := validateBlock(b, actionIDs); err != nil {
			return fmt.Errorf("block %d (%s): %w", i, b.Type, err)
		}
	}
	return nil
}

func validateBlock(b block, actionIDs map[string]bool) error {
	switch b.Type {
	case "header":
		return checkText(b.Text, "plain_text", maxHeaderText)
	case "section":
		if b.Text == nil && len(b.Fields) == 0 {
			return errors.New("a section needs text or fields")
		}
		if b.Text != nil {
			if err := checkText(b.Text, "", maxSectionText); err != nil {
				return err
			}
		}
		if len(b.Fields) > maxSectionFields {
			return fmt.Errorf("%d fields, at most %d", len(b.Fields), maxSectionFields)
		}
		for _, f := range b.Fields {
			if err := checkText(&f, "", maxFieldText); err != nil {
				return err
			}
		}
	case "context":
		if len(b.Elements) == 0 || len(b.Elements) > maxContextElems {
			return fmt.Errorf("%d elements, want 1 to %d", len(b.Elements), maxContextElems)
		}
		for _, raw := range b.Elements {
			var t text
			if err := json.Unmarshal(raw, &t); err != nil {
				return err
			}
			if t.Type == "mrkdwn" || t.Type == "plain_text" {
				if err := checkText(&t, "", maxSectionText); err != nil {
					return err
				}
			}
		}
	case "actions":
		if len(b.Elements) == 0 || len(b.Elements) > maxActions {
			return fmt.Errorf("%d elements, want 1 to %d", len(b.Elements), maxActions)
		}
		for _, raw := range b.Elements {
			var e element
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			if e.Type == "button" {
				if err := checkText(e.Text, "plain_text", maxButtonText); err != nil {
					return err
				}
				if utf8.RuneCountInString(e.Value) > maxButtonValue {
					return errors.New("button value too long")
				}
			}
			if e.ActionID != "" {
				if actionIDs[e.ActionID] {
					return fmt.Errorf("duplicate action_id %q", e.ActionID)
				}
				actionIDs[e.ActionID] = true
			}
		}
	case "divider", "image", "rich_text", "markdown":
	default:
		return fmt.Errorf("unknown block type %q", b.Type)
	}
	return nil
}

// checkText checks a text object's type (want "" for either) and length.
func checkText(t *text, want string, max int) error {
	switch {
	case t == nil:
		return errors.New("missing text object")
	case t.Type != "plain_text" && t.Type != "mrkdwn":
		return fmt.Errorf("text type %q", t.Type)
	case want != "" && t.Type != want:
		return fmt.Errorf("text type %q, want %q", t.Type, want)
	case t.Text == "":
		return errors.New("empty text")
	case utf8.RuneCountInString(t.Text) > max:
		return fmt.Errorf("text of %d characters, at most %d", utf8.RuneCountInString(t.Text), max)
	}
	return nil
}
