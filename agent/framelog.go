package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Frame kinds of an output log. A frame is one kind byte, a big-endian uint32 length and that
// many bytes. The exit frame is always the last one; its payload is the exit status as JSON.
const (
	frameStdout byte = 1
	frameStderr byte = 2
	frameExit   byte = 3

	frameHeader = 5
	// maxFramePayload bounds one output frame, so a reader never needs more than this in memory.
	maxFramePayload = 32 * 1024
)

// frameLog is an append-only file of frames that readers follow from any offset while it
// grows. Output is kept on disk, not in memory, so a long or chatty command costs the agent a
// constant amount of memory; every reader can start again from any frame boundary it was given.
type frameLog struct {
	mu      sync.Mutex
	w       *os.File
	r       *os.File
	size    int64
	ended   bool
	exit    []byte        // the exit frame's payload once ended
	changed chan struct{} // closed and replaced on every append
}

func newFrameLog(path string) (*frameLog, error) {
	w, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	r, err := os.Open(path)
	if err != nil {
		w.Close()
		return nil, err
	}
	return &frameLog{w: w, r: r, changed: make(chan struct{})}, nil
}

// append writes data as frames of the given kind (split to maxFramePayload).
func (l *frameLog) append(kind byte, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), maxFramePayload)
		if err := l.appendFrame(kind, data[:n], false); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// end writes the final frame; later appends fail.
func (l *frameLog) end(payload []byte) error {
	return l.appendFrame(frameExit, payload, true)
}

func (l *frameLog) appendFrame(kind byte, payload []byte, last bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return errors.New("output log already ended")
	}
	buf := make([]byte, frameHeader+len(payload))
	buf[0] = kind
	binary.BigEndian.PutUint32(buf[1:frameHeader], uint32(len(payload)))
	copy(buf[frameHeader:], payload)
	if _, err := l.w.Write(buf); err != nil {
		return err
	}
	l.size += int64(len(buf))
	l.ended = last
	if last {
		l.exit = payload
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return nil
}

func (l *frameLog) state() (size int64, ended bool, changed <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size, l.ended, l.changed
}

// exitPayload is the exit frame's payload, or nil while the log has not ended.
func (l *frameLog) exitPayload() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.exit
}

type header struct {
	kind   byte
	length uint32
}

func (l *frameLog) header(off int64) (header, error) {
	var b [frameHeader]byte
	if _, err := l.r.ReadAt(b[:], off); err != nil {
		return header{}, err
	}
	return header{kind: b[0], length: binary.BigEndian.Uint32(b[1:])}, nil
}

// awaitEnd blocks until the exit frame is written.
func (l *frameLog) awaitEnd() {
	for {
		_, ended, changed := l.state()
		if ended {
			return
		}
		<-changed
	}
}

// readOptions say how much of the log a reader takes.
type readOptions struct {
	// follow keeps copying as the log grows until it ends (or ctx is done).
	follow bool
	// wait is how long a non-following reader waits for the first new frame.
	wait time.Duration
	// linger is how long a non-following reader that waited for output waits again once some
	// came, for more of the same burst.
	linger time.Duration
	// maxBytes bounds what a non-following reader gets, cut at a frame boundary (at least one
	// frame is always sent).
	maxBytes int64
}

// copyTo writes the log from offset to w, calling flush after each batch. It returns the offset
// reached. An offset past the end is refused; offsets must be frame boundaries the reader got
// from an earlier read (0 is the start).
func (l *frameLog) copyTo(ctx context.Context, w io.Writer, flush func(), offset int64, opts readOptions) (int64, error) {
	size, _, _ := l.state()
	if offset < 0 || offset > size {
		return offset, fmt.Errorf("offset %d is outside the output (0..%d)", offset, size)
	}
	var timeout <-chan time.Time
	if !opts.follow && opts.wait > 0 {
		t := time.NewTimer(opts.wait)
		defer t.Stop()
		timeout = t.C
	}
	waited := false
	for {
		size, ended, changed := l.state()
		if offset < size && waited && !ended && opts.linger > 0 {
			// new output after a wait: give the rest of its burst a moment to follow, so that a
			// chatty command is read in a few pieces rather than one read per write
			waited = false
			t := time.NewTimer(opts.linger)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return offset, ctx.Err()
			}
			continue
		}
		if offset < size {
			end := size
			if !opts.follow && opts.maxBytes > 0 {
				end = l.frameBoundary(offset, size, opts.maxBytes)
			}
			if _, err := io.Copy(w, io.NewSectionReader(l.r, offset, end-offset)); err != nil {
				return offset, err
			}
			offset = end
			flush()
			if !opts.follow {
				return offset, nil
			}
			continue
		}
		if ended || (!opts.follow && timeout == nil) {
			return offset, nil
		}
		select {
		case <-changed:
			waited = true
		case <-timeout:
			return offset, nil
		case <-ctx.Done():
			return offset, ctx.Err()
		}
	}
}

// frameBoundary is the end of the last whole frame after offset within maxBytes (or of the
// first frame when it alone is bigger).
func (l *frameLog) frameBoundary(offset, size, maxBytes int64) int64 {
	end := offset
	for end < size {
		h, err := l.header(end)
		if err != nil {
			return size
		}
		next := end + frameHeader + int64(h.length)
		if next-offset > maxBytes && end > offset {
			break
		}
		end = next
	}
	return end
}

func (l *frameLog) close() {
	l.w.Close()
	l.r.Close()
}
