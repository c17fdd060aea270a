package stream

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/chemtwin/chemtwin/twin"
	"github.com/chemtwin/chemtwin/twin/alarm"
)

func TestBadMessages(t *testing.T) {
	th := startHub(t, threePeople(t), Options{}, false)
	conn := th.dial(t, dialOpts{})
	tests := []struct {
		name, msg, reason string
	}{
		{"not json", `hello`, "malformed"},
		{"truncated", `{"type":"subscribe"`, "malformed"},
		{"array", `[1,2]`, "malformed"},
		{"layers not a list", `{"type":"subscribe","layers":"people"}`, "malformed"},
		{"huge number", `{"type":"subscribe","layers":["people"],"bbox":[1e400,0,1,1]}`, "malformed"},
		{"unknown type", `{"type":"hello"}`, "unknown_type"},
		{"no type", `{}`, "unknown_type"},
		{"resync first", `{"type":"resync"}`, "no_subscription"},
		{"no layers", `{"type":"subscribe","layers":[]}`, "bad_layers"},
		{"unknown layer", `{"type":"subscribe","layers":["people","ghosts"]}`, "bad_layers"},
		{"bbox of 3", `{"type":"subscribe","layers":["people"],"bbox":[1,2,3]}`, "bad_bbox"},
		{"lon out of range", `{"type":"subscribe","layers":["people"],"bbox":[179,0,181,1]}`, "bad_bbox"},
		{"lat out of range", `{"type":"subscribe","layers":["people"],"bbox":[0,-91,1,1]}`, "bad_bbox"},
		{"min over max", `{"type":"subscribe","layers":["people"],"bbox":[2,0,1,1]}`, "bad_bbox"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := th.metric(t, "chemtwin_ws_rejected_total", "reason", tc.reason)
			send(t, conn, tc.msg)
			f := readFrame(t, conn)
			if f.Type != frameError || f.Code != codeBadRequest || f.Message == "" {
				t.Errorf("got %+v, want a bad_request error frame", f)
			}
			if got := th.metric(t, "chemtwin_ws_rejected_total", "reason", tc.reason); got != before+1 {
				t.Errorf("rejected{%s} %v, want %v", tc.reason, got, before+1)
			}
		})
	}
	t.Run("binary", func(t *testing.T) {
		if err := conn.WriteMessage(websocket.BinaryMessage, []byte{1, 2}); err != nil {
			t.Fatal(err)
		}
		if f := readFrame(t, conn); f.Code != codeBadRequest {
			t.Errorf("binary message answered with %+v", f)
		}
	})
	t.Run("connection stays", func(t *testing.T) {
		if snap := subscribe(t, conn, `{"type":"subscribe","layers":["people"]}`); len(snap.Layers["people"].Features) != 3 {
			t.Errorf("snapshot after errors %v", snap.Layers)
		}
	})
}

func TestOversizeMessage(t *testing.T) {
	th := startHub(t, threePeople(t), Options{MaxMessageBytes: 1024}, false)
	tests := []struct {
		name     string
		compress bool
	}{
		{"plain", false},
		{"inflates past the limit", true}, // a few hundred bytes on the wire
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, resp, err := th.tryDial(dialOpts{noCompress: !tc.compress})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if deflate := strings.Contains(resp.Extensions, "permessage-deflate"); deflate != tc.compress {
				t.Fatalf("extensions %q, want compression %v", resp.Extensions, tc.compress)
			}
			send(t, conn, `{"type":"subscribe","layers":["people"],"token":"`+strings.Repeat("a", 4096)+`"}`)
			_ = conn.SetReadDeadline(time.Now().Add(readWait))
			for {
				_, _, err := conn.ReadMessage()
				if err == nil {
					continue
				}
				if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
					t.Fatalf("read: %v, want close 1009", err)
				}
				break
			}
			eventually(t, "oversize rejection counted", func() bool {
				return th.metric(t, "chemtwin_ws_rejected_total", "reason", "oversize") == float64(i+1)
			})
		})
	}
	eventually(t, "oversize disconnects counted", func() bool {
		return th.metric(t, "chemtwin_ws_disconnects_total", "reason", byeOversize) == 2
	})
}

func TestAuthorize(t *testing.T) {
	auth := func(_ context.Context, token string) error {
		if token != "good" {
			return alarm.ErrNotFound // any error refuses
		}
		return nil
	}
	th := startHub(t, threePeople(t), Options{Authorize: auth}, false)

	t.Run("bad query token", func(t *testing.T) {
		_, resp, err := th.tryDial(dialOpts{query: "token=bad"})
		if err == nil || resp == nil || resp.Status != 401 {
			t.Fatalf("dial with a bad token: %v %+v, want 401", err, resp)
		}
	})
	t.Run("good query token", func(t *testing.T) {
		conn := th.dial(t, dialOpts{query: "token=good"})
		subscribe(t, conn, `{"type":"subscribe","layers":["people"]}`)
	})
	t.Run("token in subscribe", func(t *testing.T) {
		conn := th.dial(t, dialOpts{})
		subscribe(t, conn, `{"type":"subscribe","layers":["people"],"token":"good"}`)
	})
	t.Run("no token", func(t *testing.T) {
		conn := th.dial(t, dialOpts{})
		send(t, conn, `{"type":"subscribe","layers":["people"]}`)
		if f := readFrame(t, conn); f.Type != frameError || f.Code != codeUnauthorized {
			t.Errorf("got %+v, want an unauthorized error", f)
		}
		_, _, err := conn.ReadMessage()
		if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
			t.Errorf("read: %v, want close 1008", err)
		}
	})
	if got := th.metric(t, "chemtwin_ws_rejected_total", "reason", "unauthorized"); got != 2 {
		t.Errorf("rejected{unauthorized} %v, want 2", got)
	}
}

func TestShutdown(t *testing.T) {
	th := startHub(t, threePeople(t), Options{}, false)
	var conns []*websocket.Conn
	for range 5 {
		conn := th.dial(t, dialOpts{})
		subscribe(t, conn, `{"type":"subscribe","layers":["people"]}`)
		conns = append(conns, conn)
	}
	idle := th.dial(t, dialOpts{}) // connected, never subscribed
	eventually(t, "six clients registered", func() bool { return th.Clients() == 6 })
	th.shutdown(t, false)
	if n := th.Clients(); n != 0 {
		t.Errorf("%d clients after Run returned", n)
	}
	for _, conn := range append(conns, idle) {
		_ = conn.SetReadDeadline(time.Now().Add(readWait))
		if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("read: %v, want close 1001", err)
		}
	}
	if got := th.metric(t, "chemtwin_ws_disconnects_total", "reason", byeShutdown); got != 6 {
		t.Errorf("disconnects{shutdown} %v, want 6", got)
	}
	if _, resp, err := th.tryDial(dialOpts{}); err == nil || resp == nil || resp.Status != 503 {
		t.Errorf("dial after shutdown: %v %+v, want 503", err, resp)
	}
}

func TestPongTimeout(t *testing.T) {
	th := startHub(t, threePeople(t), Options{PingInterval: 20 * time.Millisecond}, false)
	th.dial(t, dialOpts{})
	eventually(t, "silent client dropped", func() bool {
		return th.metric(t, "chemtwin_ws_disconnects_total", "reason", byePongTimeout) == 1
	})
	if n := th.Clients(); n != 0 {
		t.Errorf("%d clients left", n)
	}
}

func TestOptionsValidate(t *testing.T) {
	scene := twin.New(twin.Options{})
	tests := []struct {
		name string
		opts Options
		ok   bool
	}{
		{"defaults", Options{Scene: scene}, true},
		{"no scene", Options{}, false},
		{"negative flush", Options{Scene: scene, FlushInterval: -1}, false},
		{"negative queue", Options{Scene: scene, QueueFrames: -1}, false},
		{"negative send buffer keeps the system default", Options{Scene: scene, SendBuffer: -1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.opts.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
