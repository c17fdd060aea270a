package inspect

import (
	"errors"
	"fmt"
)

// Error is a refused step: a check-in that fails verification, or a
// hidden-danger step in the wrong state. Code is the REST error code (and
// an Attempt's Code); Details carries what the caller may show or log
// (the distance of a too_far, the points still due of an
// out_of_sequence, the item of a results_invalid). Details never holds a
// secret: a code_mismatch does not say what the code is.
type Error struct {
	Code    string
	Msg     string
	Details map[string]any
}

func (e *Error) Error() string { return "inspect: " + e.Msg }

// Is makes errors.Is(err, ErrRefused) true for every *Error.
func (e *Error) Is(target error) bool { return target == ErrRefused }

// ErrRefused matches every refusal of this package (errors.Is).
var ErrRefused = errors.New("inspect: refused")

// Check-in refusals (the W7 issue, item 2).
const (
	CodeNoPosition     = "no_position"     // the inspector's tag has no fix
	CodeStalePosition  = "stale_position"  // the fix is older than MaxFixAge
	CodeTooFar         = "too_far"         // the fix lies outside the point's radius
	CodeCodeMismatch   = "code_mismatch"   // the scanned code is not the point's
	CodeTooShort       = "too_short"       // the tag has not been within the radius for MinDwellS
	CodeOutOfSequence  = "out_of_sequence" // an earlier point of a sequenced task is still due
	CodeTaskClosed     = "task_closed"     // after the task's Close (window + grace)
	CodeTaskNotOpen    = "task_not_open"   // before the task's window starts
	CodeNotInTask      = "not_in_task"     // the point is none of the task's
	CodeAlreadyChecked = "already_checked" // the point was checked in this task already
	CodeNotAssignee    = "not_assignee"    // the person is neither the assignee nor in the team
	CodeResultsInvalid = "results_invalid" // the checklist answers are malformed
)

// Hidden-danger step refusals.
const (
	CodeInvalidState = "invalid_state" // the step does not apply in the danger's state
	CodeNoteRequired = "note_required" // a note (or, to rectify, a photo) is required
	CodeSamePerson   = "same_person"   // the acceptor rectified it
	CodeByRequired   = "by_required"   // who takes the step is required
	CodeInvalidTime  = "invalid_time"  // the step is dated before the last one
	CodeInvalidInput = "invalid_input" // a note or photo id too long, too many photos

	// The service's refusals.
	CodePointNotFound = "point_not_found" // no inspection point of that id
	CodeTaskNotFound  = "task_not_found"  // no task of that id
	CodeInUse         = "in_use"          // a route a plan walks cannot be deleted
)

// refuse builds a refusal; details may be nil.
func refuse(code string, details map[string]any, format string, a ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, a...), Details: details}
}
