package loneworker

import (
	"encoding/xml"
	"strconv"
)

// TwiML voice verbs the lone-worker line uses.
type (
	voiceResponse struct {
		XMLName xml.Name `xml:"Response"`
		Verbs   []any
	}
	voiceSay struct {
		XMLName  xml.Name `xml:"Say"`
		Language string   `xml:"language,attr"`
		Text     string   `xml:",chardata"`
	}
	voiceGather struct {
		XMLName     xml.Name `xml:"Gather"`
		Input       string   `xml:"input,attr"`
		NumDigits   string   `xml:"numDigits,attr,omitempty"`
		FinishOnKey string   `xml:"finishOnKey,attr,omitempty"`
		Timeout     string   `xml:"timeout,attr"`
		Action      string   `xml:"action,attr"`
		Method      string   `xml:"method,attr"`
		Say         voiceSay
	}
	voiceHangup struct {
		XMLName xml.Name `xml:"Hangup"`
	}
)

// voiceLanguage is the language of every <Say>.
const voiceLanguage = "en-GB"

// gatherTimeout is how long, in seconds, a prompt waits for a key.
const gatherTimeout = 8

// NoInputGoodbye is said when a prompt, repeated once, got no key.
const NoInputGoodbye = "We did not hear any keys. Goodbye."

func say(text string) voiceSay { return voiceSay{Language: voiceLanguage, Text: text} }

// voiceTwiML builds a voice response.
type voiceTwiML struct{ verbs []any }

func (v *voiceTwiML) say(text string) *voiceTwiML {
	v.verbs = append(v.verbs, say(text))
	return v
}

// gather prompts for keys posted to action: numDigits keys (0: any
// number, ended by #). With no key the prompt is repeated once, then the
// call ends: after a <Gather> without input Twilio goes on to the next
// verb.
func (v *voiceTwiML) gather(action string, numDigits int, prompt string) *voiceTwiML {
	g := voiceGather{Input: "dtmf", Timeout: strconv.Itoa(gatherTimeout), Action: action, Method: "POST", Say: say(prompt)}
	if numDigits > 0 {
		g.NumDigits = strconv.Itoa(numDigits)
	} else {
		g.FinishOnKey = "#"
	}
	v.verbs = append(v.verbs, g, g, say(NoInputGoodbye), voiceHangup{})
	return v
}

// hangup ends the call after what was said.
func (v *voiceTwiML) hangup() *voiceTwiML {
	v.verbs = append(v.verbs, voiceHangup{})
	return v
}

func (v *voiceTwiML) doc() voiceResponse { return voiceResponse{Verbs: v.verbs} }
