package stream

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// closeGrace bounds the closing handshake: how long the writer waits, after
// its close frame, for the client's reply before dropping the connection.
const closeGrace = time.Second

func (c *client) deadline() time.Time { return time.Now().Add(c.h.opts.WriteTimeout) }

// writeLoop is the client's only writer: it drains the queues, pings, and
// on the way out closes the connection and unregisters the client.
func (c *client) writeLoop() {
	defer c.h.wg.Done()
	reason, closeSent := c.writeAll()
	c.close(websocket.CloseAbnormalClosure, reason) // before the reader can fail
	if closeSent {
		c.linger()
	}
	_ = c.conn.Close()
	c.cancel()
	c.mu.Lock()
	reason = c.closeReason
	c.mu.Unlock()
	c.h.unregister(c)
	c.h.m.disconnects.WithLabelValues(reason).Inc()
	c.h.log.Debug("client disconnected", "remote", c.conn.RemoteAddr().String(), "reason", reason)
}

// writeAll writes until a close job or a write error. It returns the
// disconnect reason of a write error, and whether a close frame went out.
func (c *client) writeAll() (string, bool) {
	ping := time.NewTicker(c.h.opts.PingInterval)
	defer ping.Stop()
	for {
		for {
			select { // a busy writer still pings, or a busy client would time out
			case <-ping.C:
				if err := c.ping(); err != nil {
					return writeFailure(err), false
				}
			default:
			}
			j, ok := c.next()
			if !ok {
				break
			}
			if j.close {
				return "", c.sendClose(j.code, j.closeText)
			}
			if err := c.write(j); err != nil {
				return writeFailure(err), false
			}
		}
		select {
		case <-c.wake:
		case <-ping.C:
			if err := c.ping(); err != nil {
				return writeFailure(err), false
			}
		}
	}
}

func (c *client) ping() error {
	return c.conn.WriteControl(websocket.PingMessage, nil, c.deadline())
}

// sendClose writes a close frame unless the connection is already broken.
func (c *client) sendClose(code int, text string) bool {
	if code == websocket.CloseAbnormalClosure {
		return false // 1006 never goes on the wire: the reader saw the conn fail
	}
	c.closing.Store(true)
	err := c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), c.deadline())
	return err == nil || errors.Is(err, websocket.ErrCloseSent)
}

// linger waits, up to closeGrace, for the client to answer the close
// frame, so that the close reaches a client still sending (closing a socket
// with unread input resets it). A reader that stopped early (an oversize
// frame) leaves the rest of the input to drain here.
func (c *client) linger() {
	grace := time.Now().Add(closeGrace)
	_ = c.conn.NetConn().SetReadDeadline(grace)
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-c.readerDone:
	case <-t.C:
		return
	}
	if !c.gotClose.Load() {
		_ = c.conn.NetConn().SetReadDeadline(grace)
		_, _ = io.Copy(io.Discard, c.conn.NetConn())
	}
}

// compressFrom is the smallest plain frame worth deflating.
const compressFrom = 2048

// write sends one frame under the write deadline.
func (c *client) write(j job) error {
	pm := j.pm
	if j.typ == frameSnapshot {
		var err error
		if pm, err = c.h.groupSnapshot(j.group, j.seq); err != nil {
			return err
		}
	}
	_ = c.conn.SetWriteDeadline(c.deadline())
	var err error
	if pm != nil {
		err = c.conn.WritePreparedMessage(pm)
	} else {
		// Small frames (alarms, notices, errors) go out as they are: one
		// shared byte slice for every client, no per-message prepared
		// frame (gorilla's costs a 4 KiB buffer each) and no deflate for a
		// few hundred bytes.
		small := len(j.data) < compressFrom
		if small {
			c.conn.EnableWriteCompression(false)
		}
		err = c.conn.WriteMessage(websocket.TextMessage, j.data)
		if small {
			c.conn.EnableWriteCompression(true)
		}
	}
	if err == nil {
		c.h.m.frames.WithLabelValues(j.typ).Inc()
	}
	return err
}

func writeFailure(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return byeWriteTimeout
	}
	return byeWriteError
}
