// Package mqtttest finds the MQTT brokers tests run against: the local
// mosquitto at 127.0.0.1:1883, required when CHEMTWIN_REQUIRE_MOSQUITTO=1
// (CI installs and starts it) and skipped with a notice otherwise.
package mqtttest

import (
	"net"
	"os"
	"testing"
	"time"
)

// MosquittoAddr is where the local mosquitto listens.
const MosquittoAddr = "127.0.0.1:1883"

// Mosquitto returns the local mosquitto's URL, or skips the test when it
// cannot be reached (fails it instead when CHEMTWIN_REQUIRE_MOSQUITTO=1).
func Mosquitto(t testing.TB) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", MosquittoAddr, 2*time.Second)
	if err != nil {
		if os.Getenv("CHEMTWIN_REQUIRE_MOSQUITTO") == "1" {
			t.Fatalf("mosquitto required (CHEMTWIN_REQUIRE_MOSQUITTO=1) but %s is unreachable: %v", MosquittoAddr, err)
		}
		t.Skipf("NOTICE: skipping: mosquitto not reachable at %s (%v); set CHEMTWIN_REQUIRE_MOSQUITTO=1 to make this a failure", MosquittoAddr, err)
	}
	c.Close()
	return "tcp://" + MosquittoAddr
}
