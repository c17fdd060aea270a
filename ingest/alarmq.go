package ingest

import (
	"context"
	"encoding/json"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/chemtwin/chemtwin/twin/alarm"
)

// MaxAlarmBacklog bounds the alarm events waiting for the broker (while
// it is unreachable, say): beyond it the oldest are dropped and counted
// (result "dropped"); the store and /ws have every alarm regardless.
const MaxAlarmBacklog = 100_000

// alarmRetry is how long the publisher waits before trying again while the
// client is not connected.
const alarmRetry = 500 * time.Millisecond

// EnqueueAlarm queues an alarm lifecycle event for chemtwin/{site}/alarms
// and returns at once: it is the alarm manager's observer, called under
// the manager's lock, where waiting for the broker's acknowledgement
// (PublishAlarm) would hold every rule back. Run's publisher sends the
// events in order with QoS 1, pipelined, and keeps them while the broker
// is unreachable.
func (in *Ingest) EnqueueAlarm(ev alarm.Event) {
	in.aq.Lock()
	if len(in.alarmQ) >= MaxAlarmBacklog {
		n := len(in.alarmQ) - MaxAlarmBacklog + 1
		in.alarmQ = append(in.alarmQ[:0], in.alarmQ[n:]...)
		in.m.alarms.WithLabelValues("dropped").Add(float64(n))
		if !in.alarmDropWarned {
			in.alarmDropWarned = true
			in.log.Warn("alarm backlog for mqtt full: dropping the oldest", "backlog", MaxAlarmBacklog)
		}
	}
	in.alarmQ = append(in.alarmQ, ev)
	in.aq.Unlock()
	select {
	case in.alarmKick <- struct{}{}:
	default:
	}
}

// AlarmBacklog returns how many alarm events wait for the broker.
func (in *Ingest) AlarmBacklog() int {
	in.aq.Lock()
	defer in.aq.Unlock()
	return len(in.alarmQ)
}

// publishAlarms is Run's alarm publisher: it takes the queued events,
// publishes them all and then waits for their acknowledgements, until ctx
// ends; what is left then is published once more before it returns.
func (in *Ingest) publishAlarms(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	var toks []paho.Token
	for {
		select {
		case <-ctx.Done():
			in.flushAlarms()
			return
		case <-in.alarmKick:
		}
		for {
			if !in.client.IsConnectionOpen() {
				if !sleepCtx(ctx, alarmRetry) {
					in.flushAlarms()
					return
				}
				continue
			}
			in.aq.Lock()
			batch := in.alarmQ
			in.alarmQ = nil
			in.alarmDropWarned = false
			in.aq.Unlock()
			if len(batch) == 0 {
				break
			}
			toks = toks[:0]
			for _, ev := range batch {
				// A payload of its own: paho keeps it until it is written.
				payload, err := appendAlarmMessage(make([]byte, 0, 768), ev)
				if err != nil {
					in.m.alarms.WithLabelValues("error").Inc()
					in.log.Error("alarm not encoded for mqtt", "id", ev.Alarm.ID, "err", err)
					continue
				}
				toks = append(toks, in.client.Publish(AlarmTopic(in.site), 1, false, payload))
			}
			in.countAlarmTokens(toks)
		}
	}
}

// flushAlarms publishes what is queued at shutdown, while the client is
// still connected, waiting a short while for the acknowledgements.
func (in *Ingest) flushAlarms() {
	in.aq.Lock()
	batch := in.alarmQ
	in.alarmQ = nil
	in.aq.Unlock()
	if len(batch) == 0 {
		return
	}
	if !in.client.IsConnectionOpen() {
		in.m.alarms.WithLabelValues("error").Add(float64(len(batch)))
		in.log.Warn("alarms not published over mqtt at shutdown: not connected", "alarms", len(batch))
		return
	}
	toks := make([]paho.Token, 0, len(batch))
	for _, ev := range batch {
		if payload, err := appendAlarmMessage(make([]byte, 0, 768), ev); err == nil {
			toks = append(toks, in.client.Publish(AlarmTopic(in.site), 1, false, payload))
		}
	}
	in.countAlarmTokens(toks)
}

// countAlarmTokens waits for the publishes (all sent before the first
// wait), publishTimeout in all, and counts the outcomes.
func (in *Ingest) countAlarmTokens(toks []paho.Token) {
	var ok, failed int
	deadline := time.Now().Add(publishTimeout)
	for _, tok := range toks {
		if tok.WaitTimeout(max(time.Until(deadline), time.Millisecond)) && tok.Error() == nil {
			ok++
		} else {
			failed++
		}
	}
	in.m.alarms.WithLabelValues("ok").Add(float64(ok))
	if failed > 0 {
		in.m.alarms.WithLabelValues("error").Add(float64(failed))
		in.log.Warn("alarms not acknowledged by the broker", "alarms", failed)
	}
}

// appendAlarmMessage appends AlarmMessage's JSON — the alarm's fields and
// then "action", as json.Marshal has it — without reflection.
func appendAlarmMessage(b []byte, ev alarm.Event) ([]byte, error) {
	js, err := ev.JSON() // shared: copied, never changed
	if err != nil {
		return b, err
	}
	b = append(b, js[:len(js)-1]...) // without the alarm's closing brace
	b = append(b, `,"action":`...)
	action, err := json.Marshal(ev.Action)
	if err != nil {
		return b, err
	}
	b = append(b, action...)
	return append(b, '}'), nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
