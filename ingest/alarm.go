package ingest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// AlarmMessage is the payload published on chemtwin/{site}/alarms: the
// alarm's JSON (as served by the REST API) with the lifecycle step in
// "action" (raised, updated, acknowledged, cleared).
type AlarmMessage struct {
	alarm.Alarm
	Action alarm.Action `json:"action"`
}

// PublishAlarm publishes an alarm lifecycle event on chemtwin/{site}/alarms
// with QoS 1 and waits for the broker's acknowledgement (EnqueueAlarm is
// the observer's way: it does not wait). It returns
// ErrNotConnected before Run has connected; while the client is
// reconnecting the message stays queued in the client and ErrPublishTimeout
// is returned after a few seconds (it is still sent once reconnected).
func (in *Ingest) PublishAlarm(ev alarm.Event) error {
	payload, err := appendAlarmMessage(nil, ev)
	if err != nil {
		in.m.alarms.WithLabelValues("error").Inc()
		return fmt.Errorf("ingest: encode alarm %s: %w", ev.Alarm.ID, err)
	}
	if !in.client.IsConnected() {
		in.m.alarms.WithLabelValues("error").Inc()
		return fmt.Errorf("%w: alarm %s", ErrNotConnected, ev.Alarm.ID)
	}
	tok := in.client.Publish(AlarmTopic(in.site), 1, false, payload)
	switch {
	case !tok.WaitTimeout(publishTimeout):
		err = fmt.Errorf("%w: alarm %s", ErrPublishTimeout, ev.Alarm.ID)
	case tok.Error() != nil:
		err = fmt.Errorf("ingest: publish alarm %s: %w", ev.Alarm.ID, tok.Error())
	}
	if err != nil {
		in.m.alarms.WithLabelValues("error").Inc()
		return err
	}
	in.m.alarms.WithLabelValues("ok").Inc()
	return nil
}

// NotifyTopic is the downlink topic of a tag: chemtwin/{site}/tags/{tag}/notify.
// Tags (or their gateways) subscribe to it to buzz, flash and show a
// message to the wearer.
func NotifyTopic(site, tag string) string { return "chemtwin/" + site + "/tags/" + tag + "/notify" }

// PublishNotify publishes v as JSON on the tag's notify topic with QoS 1.
// It does not wait for the broker's acknowledgement (a gathering notifies
// every member at once and must not queue behind one slow publish); the
// client sends it once connected. It fails only for a payload JSON cannot
// carry, a bad tag or before Run has connected.
func (in *Ingest) PublishNotify(tag string, v any) error {
	if err := checkID(tag); err != nil || strings.ContainsAny(tag, "/+#") {
		in.m.notifies.WithLabelValues("error").Inc()
		return fmt.Errorf("ingest: notify: bad tag %q", tag)
	}
	payload, err := json.Marshal(v)
	if err != nil {
		in.m.notifies.WithLabelValues("error").Inc()
		return fmt.Errorf("ingest: encode notify for %s: %w", tag, err)
	}
	if !in.client.IsConnected() {
		in.m.notifies.WithLabelValues("error").Inc()
		return fmt.Errorf("%w: notify for %s", ErrNotConnected, tag)
	}
	in.client.Publish(NotifyTopic(in.site, tag), 1, false, payload)
	in.m.notifies.WithLabelValues("ok").Inc()
	return nil
}
