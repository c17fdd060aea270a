package stream

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// ServeHTTP upgrades GET /ws to a websocket and serves the client until it
// leaves or the hub stops. With Options.Authorize set, a ?token= that fails
// is refused with 401 before the upgrade; without one, the client must put
// a token in its subscribe message.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	authorized := h.opts.Authorize == nil
	if tok := r.URL.Query().Get("token"); tok != "" && !authorized {
		if err := h.opts.Authorize(r.Context(), tok); err != nil {
			h.m.rejected.WithLabelValues("unauthorized").Inc()
			httpError(w, http.StatusUnauthorized, "unauthorized", "invalid token")
			return
		}
		authorized = true
	}
	h.mu.RLock()
	closed := h.closed
	h.mu.RUnlock()
	if closed {
		httpError(w, http.StatusServiceUnavailable, "unavailable", "stream is shutting down")
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil { // Upgrade has answered the request
		h.m.rejected.WithLabelValues("bad_upgrade").Inc()
		return
	}
	h.tune(conn)
	c := newClient(h, conn, authorized)
	if !h.register(c, 2) {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
		_ = conn.Close()
		return
	}
	go c.readLoop()
	go c.writeLoop()
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`+"\n", code, msg)
}

// tune shrinks the kernel send buffer so that a slow client's backlog stays
// in the hub's queues, where newer state can replace it.
func (h *Hub) tune(conn *websocket.Conn) {
	if h.opts.SendBuffer <= 0 {
		return
	}
	if tc, ok := conn.NetConn().(*net.TCPConn); ok {
		if err := tc.SetWriteBuffer(h.opts.SendBuffer); err != nil {
			h.log.Debug("set send buffer", "err", err)
		}
	}
}
