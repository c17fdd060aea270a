package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Record is one document of a collection a domain service keeps
// (inspection routes, plans, tasks, check records, hidden dangers, …):
// the fields lists filter on, and the JSON document the store does not read.
type Record struct {
	Collection string    // e.g. "inspection_tasks"; [a-z0-9_]{1,64}
	ID         string    // unique within the collection; 1–200 bytes
	Status     string    // indexed; may be ""; at most 200 bytes
	Owner      string    // indexed (an assignee, a person, …); may be ""; at most 200 bytes
	Ref        string    // indexed (a parent: route, plan, task, point); may be ""; at most 200 bytes
	At         time.Time // indexed: the record's own time (a task's window start, a check-in's time); required
	UpdatedAt  time.Time // required
	Doc        []byte    // JSON text; at most 1 MiB
}

// RecordFilter selects records of one collection; zero fields do not filter.
type RecordFilter struct {
	Collection string   // required
	Status     []string // any of ("" selects the records without a status)
	Owner, Ref string
	// From and To select At in [From, To), both truncated to the
	// millisecond like stored times.
	From, To time.Time
	Limit    int // ≤ 0: all
	// Desc lists newest At first, ties by greater ID first: the exact
	// reverse of the default, oldest At first, ties by smaller ID (byte
	// order).
	Desc bool
}

// Records keeps the documents of the domain services' collections (W7
// inspections, W8 …). It is part of Store.
type Records interface {
	// PutRecord stores r, replacing the record of the same (Collection,
	// ID). A record CheckRecord refuses is ErrInvalid.
	PutRecord(ctx context.Context, r Record) error
	// PutRecords stores rs in one transaction, in order (a later record
	// of the same key wins): all or none. One refused record refuses the
	// batch with ErrInvalid, naming its index; an empty batch is a no-op.
	PutRecords(ctx context.Context, rs []Record) error
	// GetRecord returns the record with id in collection; ErrNotFound if
	// none, ErrInvalid for a collection name CheckCollection refuses.
	GetRecord(ctx context.Context, collection, id string) (Record, error)
	// ListRecords returns the records f selects with their documents, by
	// At then ID in byte order; with f.Desc exactly the reverse (newest
	// first, ties by greater ID first). At most f.Limit when it is > 0.
	// A collection name CheckCollection refuses is ErrInvalid.
	ListRecords(ctx context.Context, f RecordFilter) ([]Record, error)
	// DeleteRecord removes the record with id in collection; ErrNotFound
	// if none, ErrInvalid for a collection name CheckCollection refuses.
	DeleteRecord(ctx context.Context, collection, id string) error
}

// Blob is a stored file: a photo of an inspection or a hidden danger.
type Blob struct {
	ID          string // 1–200 bytes
	ContentType string // image/jpeg, image/png, image/webp
	Data        []byte // at most MaxBlobBytes (8 MiB)
	CreatedAt   time.Time
	By          string // who stored it (a username); required
}

// Blobs keeps immutable files. It is part of Store.
type Blobs interface {
	// PutBlob stores b. An ID already stored is ErrConflict (blobs are
	// immutable: the stored one is kept); a blob CheckBlob refuses is
	// ErrInvalid.
	PutBlob(ctx context.Context, b Blob) error
	// GetBlob returns the blob with id, its Data byte for byte;
	// ErrNotFound if none.
	GetBlob(ctx context.Context, id string) (Blob, error)
}

// Limits of records and blobs. Keys are capped because every backend
// indexes them (a PostgreSQL B-tree entry holds at most about 2.7 kB).
const (
	MaxCollectionBytes = 64      // Record.Collection
	MaxKeyBytes        = 200     // Record.ID, Status, Owner, Ref; Blob.ID
	MaxRecordDocBytes  = 1 << 20 // Record.Doc: 1 MiB
	MaxBlobBytes       = 8 << 20 // Blob.Data: 8 MiB
)

// CheckCollection refuses a collection name that is not [a-z0-9_]{1,64}
// with ErrInvalid.
func CheckCollection(name string) error {
	ok := name != "" && len(name) <= MaxCollectionBytes
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if !ok {
		return fmt.Errorf("%w: collection %q is not [a-z0-9_]{1,%d}", ErrInvalid, name, MaxCollectionBytes)
	}
	return nil
}

// CheckRecord applies the rules of PutRecord, the same for every backend:
// a valid collection name; an ID of 1–200 bytes; Status, Owner and Ref of
// at most 200 bytes; At and UpdatedAt set and in the years 1–9999; a Doc
// that is JSON of at most 1 MiB; text (the Doc included) valid UTF-8
// without NUL. Anything else is ErrInvalid.
func CheckRecord(r Record) error {
	if err := CheckCollection(r.Collection); err != nil {
		return err
	}
	switch {
	case r.ID == "":
		return fmt.Errorf("%w: %s record without an id", ErrInvalid, r.Collection)
	case len(r.ID) > MaxKeyBytes || len(r.Status) > MaxKeyBytes || len(r.Owner) > MaxKeyBytes || len(r.Ref) > MaxKeyBytes:
		return fmt.Errorf("%w: %s record %.40q: id, status, owner or ref longer than %d bytes", ErrInvalid, r.Collection, r.ID, MaxKeyBytes)
	case !inYears(r.At) || !inYears(r.UpdatedAt):
		return fmt.Errorf("%w: %s record %q: time %v, updated %v (want both set, in the years 1–9999)", ErrInvalid, r.Collection, r.ID, r.At, r.UpdatedAt)
	case len(r.Doc) > MaxRecordDocBytes:
		return fmt.Errorf("%w: %s record %q: document of %d bytes (at most %d)", ErrInvalid, r.Collection, r.ID, len(r.Doc), MaxRecordDocBytes)
	case !json.Valid(r.Doc):
		return fmt.Errorf("%w: %s record %q: the document is not JSON", ErrInvalid, r.Collection, r.ID)
	case !validText(r.Doc):
		return fmt.Errorf("%w: %s record %q: the document is not valid UTF-8 without NUL", ErrInvalid, r.Collection, r.ID)
	}
	return checkText(r.ID, r.Status, r.Owner, r.Ref)
}

// blobMagic is how each accepted content type's data begins: JPEG's SOI
// marker and the first byte of the next marker (ISO/IEC 10918-1 Annex B),
// PNG's signature (ISO/IEC 15948 §5.2), WebP's RIFF header ("RIFF", the
// size, "WEBP"; RFC 9649).
var blobMagic = map[string][][]byte{
	"image/jpeg": {{0xFF, 0xD8, 0xFF}},
	"image/png":  {{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}},
	"image/webp": {[]byte("RIFF"), nil, []byte("WEBP")}, // nil: 4 bytes of any value
}

// CheckBlob applies the rules of PutBlob, the same for every backend: an
// ID of 1–200 bytes; a ContentType of image/jpeg, image/png or image/webp
// whose signature Data begins with; Data of 1 byte to MaxBlobBytes; a
// CreatedAt in the years 1–9999; a By; text valid UTF-8 without NUL.
// Anything else is ErrInvalid.
func CheckBlob(b Blob) error {
	magic, known := blobMagic[b.ContentType]
	switch {
	case b.ID == "" || len(b.ID) > MaxKeyBytes:
		return fmt.Errorf("%w: blob id %.40q not of 1–%d bytes", ErrInvalid, b.ID, MaxKeyBytes)
	case !known:
		return fmt.Errorf("%w: blob %q: content type %q (want image/jpeg, image/png or image/webp)", ErrInvalid, b.ID, b.ContentType)
	case len(b.Data) == 0 || len(b.Data) > MaxBlobBytes:
		return fmt.Errorf("%w: blob %q of %d bytes (want 1 to %d)", ErrInvalid, b.ID, len(b.Data), MaxBlobBytes)
	case !hasMagic(b.Data, magic):
		return fmt.Errorf("%w: blob %q: the data is not %s", ErrInvalid, b.ID, b.ContentType)
	case !inYears(b.CreatedAt):
		return fmt.Errorf("%w: blob %q: creation time %v (want set, in the years 1–9999)", ErrInvalid, b.ID, b.CreatedAt)
	case b.By == "":
		return fmt.Errorf("%w: blob %q without an author", ErrInvalid, b.ID)
	}
	return checkText(b.ID, b.By)
}

// hasMagic reports whether data begins with the parts of magic in turn, a
// nil part standing for 4 bytes of any value.
func hasMagic(data []byte, magic [][]byte) bool {
	for _, part := range magic {
		n := len(part)
		if part == nil {
			n = 4
		}
		if len(data) < n || part != nil && !bytes.Equal(data[:n], part) {
			return false
		}
		data = data[n:]
	}
	return true
}

// inYears reports whether t is set and in the years 1–9999, which both
// backends keep exactly (PostgreSQL's timestamptz ends in the year
// 294276; SQLite's milliseconds overflow before Go's times do).
func inYears(t time.Time) bool {
	return !t.IsZero() && t.UTC().Year() >= 1 && t.UTC().Year() <= 9999
}

// checkText refuses text that is not valid UTF-8 or holds NUL, which
// PostgreSQL cannot keep and SQLite would keep differently.
func checkText(fields ...string) error {
	for _, s := range fields {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("%w: text %.40q is not valid UTF-8 without NUL", ErrInvalid, s)
		}
	}
	return nil
}

// validText reports whether b is valid UTF-8 without NUL.
func validText(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }
