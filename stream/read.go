package stream

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// readLoop reads client messages until the connection fails or the
// closing handshake ends, then asks the writer to close.
func (c *client) readLoop() {
	defer c.h.wg.Done()
	defer close(c.readerDone)
	code, reason := c.readAll()
	c.close(code, reason)
}

func (c *client) readAll() (int, string) {
	limit := c.h.opts.MaxMessageBytes
	pongWait := c.h.opts.PingInterval * 5 / 2
	extend := func() {
		if !c.closing.Load() {
			_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
		}
	}
	c.conn.SetReadLimit(limit)
	extend()
	c.conn.SetPongHandler(func(string) error { extend(); return nil })
	stopped := false // a close was asked for: read on only for the client's reply
	for {
		typ, r, err := c.conn.NextReader()
		if err != nil {
			return c.readFailure(err)
		}
		// The frame limit above counts compressed bytes; this one counts
		// what a compressed message inflates to.
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return c.readFailure(err)
		}
		switch {
		case stopped || c.closing.Load():
		case int64(len(data)) > limit:
			c.h.m.rejected.WithLabelValues("oversize").Inc()
			c.close(websocket.CloseMessageTooBig, byeOversize)
			stopped = true
		case typ != websocket.TextMessage:
			extend()
			c.reject(fmt.Errorf("%w: binary messages are not supported", ErrMalformed))
		default:
			extend()
			if !c.handle(data) {
				c.close(websocket.ClosePolicyViolation, byeUnauthorized)
				stopped = true
			}
		}
	}
}

// readFailure classifies the error that ended the reader.
func (c *client) readFailure(err error) (int, string) {
	var ne net.Error
	var ce *websocket.CloseError
	switch {
	case errors.Is(err, websocket.ErrReadLimit): // the conn has sent 1009
		c.h.m.rejected.WithLabelValues("oversize").Inc()
		return websocket.CloseMessageTooBig, byeOversize
	case errors.As(err, &ce):
		c.gotClose.Store(true)
		return websocket.CloseNormalClosure, byeClientClosed
	case errors.As(err, &ne) && ne.Timeout() && !c.closing.Load():
		return websocket.CloseGoingAway, byePongTimeout
	}
	return websocket.CloseAbnormalClosure, byeReadError
}

// handle acts on one client message; false ends the connection.
func (c *client) handle(data []byte) bool {
	req, err := parseRequest(data)
	if err != nil {
		c.reject(err)
		return true
	}
	if err := c.authorize(req.token); err != nil {
		c.h.m.rejected.WithLabelValues(rejectReason(err)).Inc()
		c.reply(codeUnauthorized, err.Error())
		return false
	}
	switch req.typ {
	case typeSubscribe:
		c.h.subscribe(c, req.sub)
	case typeResync:
		if !c.requestResync() {
			c.reject(fmt.Errorf("%w: send subscribe first", ErrNoSubscribe))
			return true
		}
		c.h.m.resyncs.Inc()
	}
	return true
}

// authorize checks a token when the hub wants one: the first one the
// client presents, and any later one.
func (c *client) authorize(token string) error {
	auth := c.h.opts.Authorize
	if auth == nil || (c.authorized && token == "") {
		return nil
	}
	if token == "" {
		return fmt.Errorf("%w: token required", ErrUnauthorized)
	}
	if err := auth(c.ctx, token); err != nil {
		return fmt.Errorf("%w: %v", ErrUnauthorized, err)
	}
	c.authorized = true
	return nil
}

// reject counts a bad client message and answers it with an error frame.
func (c *client) reject(err error) {
	c.h.m.rejected.WithLabelValues(rejectReason(err)).Inc()
	c.reply(codeBadRequest, err.Error())
}
