package ingest

import (
	"errors"
	"strings"
)

// Reason says why a message was rejected. It is the `reason` label of
// chemtwin_ingest_rejected_total.
type Reason string

// Rejection reasons.
const (
	ReasonBadJSON         Reason = "bad_json"         // not a JSON object
	ReasonBadField        Reason = "bad_field"        // a field missing, of the wrong type or out of range
	ReasonBadPosition     Reason = "bad_position"     // no usable lon/lat or x/y
	ReasonOversize        Reason = "oversize"         // payload larger than MaxPayload
	ReasonUnknownTopic    Reason = "unknown_topic"    // topic not in the contract (or a bad id in it)
	ReasonUnknownEntity   Reason = "unknown_entity"   // id not in the scene, or not of the topic's kind
	ReasonUnitMismatch    Reason = "unit_mismatch"    // reading unit differs from the detector's unit
	ReasonFutureTimestamp Reason = "future_timestamp" // ts beyond now + MaxFutureSkew
	ReasonStaleTimestamp  Reason = "stale_timestamp"  // ts before now − MaxAge
	ReasonOutOfOrder      Reason = "out_of_order"     // older than the entity's current state (twin.ErrStale)
	ReasonFarFromSite     Reason = "far_from_site"    // fix farther than MaxDistanceM from the site origin
	ReasonApplyFailed     Reason = "apply_failed"     // the twin refused the change for another reason
	ReasonInternal        Reason = "internal"         // a bug: the parser panicked (recovered)
)

// rejection is the type of the sentinel errors: each carries its Reason.
type rejection struct{ reason Reason }

func (r *rejection) Error() string {
	return "ingest: " + strings.ReplaceAll(string(r.reason), "_", " ")
}

// Sentinel errors, one per Reason; parsers and the applier wrap them with
// details (%w). ReasonOf recovers the reason.
var (
	ErrBadJSON         error = &rejection{ReasonBadJSON}
	ErrBadField        error = &rejection{ReasonBadField}
	ErrBadPosition     error = &rejection{ReasonBadPosition}
	ErrOversize        error = &rejection{ReasonOversize}
	ErrUnknownTopic    error = &rejection{ReasonUnknownTopic}
	ErrUnknownEntity   error = &rejection{ReasonUnknownEntity}
	ErrUnitMismatch    error = &rejection{ReasonUnitMismatch}
	ErrFutureTimestamp error = &rejection{ReasonFutureTimestamp}
	ErrStaleTimestamp  error = &rejection{ReasonStaleTimestamp}
	ErrOutOfOrder      error = &rejection{ReasonOutOfOrder}
	ErrFarFromSite     error = &rejection{ReasonFarFromSite}
	ErrApplyFailed     error = &rejection{ReasonApplyFailed}
	ErrInternal        error = &rejection{ReasonInternal}
)

// ReasonOf returns the rejection reason err carries, or "" for nil and for
// errors that are not rejections.
func ReasonOf(err error) Reason {
	var r *rejection
	if errors.As(err, &r) {
		return r.reason
	}
	return ""
}
