// Package deps pins the modules the packages under construction will import,
// so that parallel work does not race on go.mod. Removed once they import them.
package deps

import (
	_ "github.com/eclipse/paho.mqtt.golang"
	_ "github.com/gorilla/websocket"
	_ "github.com/mochi-mqtt/server/v2"
	_ "github.com/mochi-mqtt/server/v2/hooks/auth"
	_ "github.com/mochi-mqtt/server/v2/listeners"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "golang.org/x/crypto/bcrypt"
	_ "golang.org/x/sync/errgroup"
	_ "modernc.org/sqlite"
)
