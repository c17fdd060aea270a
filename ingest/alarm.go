package ingest

import (
	"encoding/json"
	"fmt"

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
// with QoS 1 and waits for the broker's acknowledgement. It returns
// ErrNotConnected before Run has connected; while the client is
// reconnecting the message stays queued in the client and ErrPublishTimeout
// is returned after a few seconds (it is still sent once reconnected).
func (in *Ingest) PublishAlarm(ev alarm.Event) error {
	payload, err := json.Marshal(AlarmMessage{Alarm: ev.Alarm, Action: ev.Action})
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
