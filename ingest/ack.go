package ingest

import (
	"fmt"
	"time"
)

// Ack is a tag's acknowledgement of a notice it was sent on its notify
// topic (the wearer pressed the button): Ref is the notice's id, e.g. an
// evacuation order's.
type Ack struct {
	Ref string
	At  time.Time
}

// ParseAck parses the payload of chemtwin/{site}/tags/{tag}/ack: `ref`
// (the notice's id: non-empty, at most MaxIDLen bytes, no control
// characters or wildcards), optional `ts`.
func ParseAck(payload []byte, env Env) (Ack, error) {
	env = env.withDefaults()
	o, err := decode(payload, env)
	if err != nil {
		return Ack{}, err
	}
	ref, ok, err := o.str("ref", MaxIDLen)
	switch {
	case err != nil:
		return Ack{}, err
	case !ok:
		return Ack{}, fmt.Errorf("%w: ref: missing", ErrBadField)
	}
	if err := checkID(ref); err != nil {
		return Ack{}, fmt.Errorf("%w: ref: %v", ErrBadField, err)
	}
	at, err := o.ts(env)
	if err != nil {
		return Ack{}, err
	}
	return Ack{Ref: ref, At: at}, nil
}

// ack hands a tag's acknowledgement to Options.OnAck; without a listener
// it is counted as not handled.
func (in *Ingest) ack(tag string, a Ack) {
	if in.opts.OnAck == nil {
		in.reject(Topic{Kind: KindAck, ID: tag}, fmt.Errorf("%w: no listener for acknowledgements", ErrUnknownEntity))
		return
	}
	in.m.messages.WithLabelValues(string(KindAck)).Inc()
	in.opts.OnAck(tag, a)
}
