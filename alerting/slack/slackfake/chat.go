package slackfake

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// readArgs reads a form-encoded or JSON body into flat arguments (JSON
// values that are not strings are kept as their JSON text, as "blocks" is
// in a form).
func readArgs(r *http.Request) (map[string]string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	args := map[string]string{}
	if ct == "application/json" {
		var m map[string]json.RawMessage
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&m); err != nil {
			return nil, err
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				args[k] = s
			} else {
				args[k] = string(v)
			}
		}
		return args, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k := range r.Form {
		args[k] = r.Form.Get(k)
	}
	return args, nil
}

// resolve is the channel id for a chat call's channel argument: a channel
// name ("#x" or "x"), a channel id, a member id (its direct message) or a
// direct-message id; "" when there is no such channel.
func (s *Server) resolve(arg string) string {
	name := strings.TrimPrefix(arg, "#")
	switch {
	case s.channels[name] != "":
		return s.channels[name]
	case s.ids[arg]:
		return arg
	case s.users[arg]:
		return DMChannel(arg)
	case strings.HasPrefix(arg, "D") && s.users["U"+arg[1:]]:
		return arg
	}
	return ""
}

// failure is the error code set for the channel argument or its id.
func (s *Server) failure(arg, id string) string {
	if c := s.failures[strings.TrimPrefix(arg, "#")]; c != "" {
		return c
	}
	return s.failures[id]
}

func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("1700000000.%06d", s.seq*100)
}

// content checks text and blocks; code is Slack's error code when bad.
func content(args map[string]string) (blocks json.RawMessage, code string) {
	if b := args["blocks"]; b != "" {
		if err := validateBlocks([]byte(b)); err != nil {
			return nil, "invalid_blocks"
		}
		blocks = json.RawMessage(b)
	}
	if args["text"] == "" && len(blocks) == 0 {
		return nil, "no_text"
	}
	return blocks, ""
}

func (s *Server) postMessage(args map[string]string) map[string]any {
	arg := args["channel"]
	id := s.resolve(arg)
	if id == "" {
		return fail("channel_not_found")
	}
	if c := s.failure(arg, id); c != "" {
		return fail(c)
	}
	blocks, code := content(args)
	if code != "" {
		return fail(code)
	}
	m := Message{Method: "chat.postMessage", Channel: id, TS: s.nextTS(), Text: args["text"], Blocks: blocks}
	s.log = append(s.log, m)
	s.current[id+"/"+m.TS] = m
	return map[string]any{"ok": true, "channel": id, "ts": m.TS, "message": shape(m)}
}

// update is chat.update: like Slack it wants the channel id, not a name.
func (s *Server) update(args map[string]string) map[string]any {
	id, ts := args["channel"], args["ts"]
	if !s.ids[id] && s.resolve(id) != id {
		return fail("channel_not_found")
	}
	if c := s.failure(id, id); c != "" {
		return fail(c)
	}
	old, ok := s.current[id+"/"+ts]
	if !ok {
		return fail("message_not_found")
	}
	blocks, code := content(args)
	if code != "" {
		return fail(code)
	}
	m := Message{Method: "chat.update", Channel: id, TS: old.TS, Text: args["text"], Blocks: blocks}
	s.log = append(s.log, m)
	s.current[id+"/"+ts] = m
	return map[string]any{"ok": true, "channel": id, "ts": ts, "text": m.Text, "message": shape(m)}
}

func (s *Server) postEphemeral(args map[string]string) map[string]any {
	arg, user := args["channel"], args["user"]
	id := s.resolve(arg)
	if id == "" {
		return fail("channel_not_found")
	}
	if c := s.failure(arg, id); c != "" {
		return fail(c)
	}
	if !s.users[user] {
		return fail("user_not_found")
	}
	blocks, code := content(args)
	if code != "" {
		return fail(code)
	}
	m := Message{Method: "chat.postEphemeral", Channel: id, TS: s.nextTS(), User: user, Text: args["text"], Blocks: blocks}
	s.log = append(s.log, m)
	return map[string]any{"ok": true, "message_ts": m.TS}
}

// shape is a message as Slack returns it.
func shape(m Message) map[string]any {
	out := map[string]any{"type": "message", "user": BotUserID, "bot_id": BotID, "app_id": AppID, "text": m.Text, "ts": m.TS, "team": TeamID}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	return out
}
