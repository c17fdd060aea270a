package tiles

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// errChanged reports an archive file modified on disk after it was opened.
var errChanged = errors.New("tiles: archive changed on disk since it was opened")

// source holds one archive's bytes: an embedded byte slice, or a file opened
// (and checked by Inspect) when the server started. A file stays open, so an
// archive replaced on disk by rename is served as it was until restart; one
// rewritten in place is refused (check) rather than read half-written.
type source struct {
	data  []byte   // embedded archive, or nil
	file  *os.File // archive file, or nil
	size  int64
	mtime time.Time
	etag  string
}

func memorySource(data []byte) *source {
	sum := sha256.Sum256(data)
	return &source{data: data, size: int64(len(data)), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

func fileSource(f *os.File) (*source, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("tiles: %s is not a regular file", f.Name())
	}
	etag := fmt.Sprintf(`"%x-%x"`, st.Size(), st.ModTime().UnixNano())
	return &source{file: f, size: st.Size(), mtime: st.ModTime(), etag: etag}, nil
}

// ReadAt reads the archive.
func (s *source) ReadAt(p []byte, off int64) (int, error) {
	if s.file != nil {
		return s.file.ReadAt(p, off)
	}
	return bytes.NewReader(s.data).ReadAt(p, off)
}

// check reports errChanged when the file's size or modification time moved.
func (s *source) check() error {
	if s.file == nil {
		return nil
	}
	st, err := s.file.Stat()
	if err != nil {
		return err
	}
	if st.Size() != s.size || !st.ModTime().Equal(s.mtime) {
		return errChanged
	}
	return nil
}

// bucket is a read-only pmtiles.Bucket over the server's archives; keys are
// "NAME.pmtiles". Its map is fixed before go-pmtiles uses it, so reads need
// no lock.
type bucket struct {
	sources map[string]*source
}

// Close closes the archive files.
func (b *bucket) Close() error {
	var errs []error
	for _, s := range b.sources {
		if s.file != nil {
			errs = append(errs, s.file.Close())
		}
	}
	return errors.Join(errs...)
}

// NewRangeReader returns length bytes at offset (fewer at the end of the
// archive).
func (b *bucket) NewRangeReader(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	r, _, _, err := b.NewRangeReaderEtag(ctx, key, offset, length, "")
	return r, err
}

// NewRangeReaderEtag is NewRangeReader with the archive's ETag and an
// HTTP-like status, as go-pmtiles' server expects. Archives never change
// under a running server, so the ETag asked for is not compared.
func (b *bucket) NewRangeReaderEtag(_ context.Context, key string, offset, length int64, _ string) (io.ReadCloser, string, int, error) {
	s, ok := b.sources[key]
	if !ok {
		return nil, "", 404, fmt.Errorf("tiles: no archive %q", key)
	}
	if err := s.check(); err != nil {
		return nil, "", 500, err
	}
	if offset < 0 || length < 0 || offset >= s.size {
		return nil, "", 416, fmt.Errorf("tiles: range %d+%d outside %s", offset, length, key)
	}
	length = min(length, s.size-offset)
	if s.data != nil {
		return io.NopCloser(bytes.NewReader(s.data[offset : offset+length])), s.etag, 206, nil
	}
	buf := make([]byte, length)
	if _, err := s.file.ReadAt(buf, offset); err != nil {
		return nil, "", 500, err
	}
	return io.NopCloser(bytes.NewReader(buf)), s.etag, 206, nil
}
