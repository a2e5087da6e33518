package chdb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// transcodeNative rewrites Native data written by the engine (protocol
// revision 0) into the form a client asked for with client_protocol_version.
// Column data is the same at every revision; what differs is the block info
// header and the per-column custom-serialization flag, so each block is
// decoded with clickhouse-go's own codec and encoded again.
func transcodeNative(dst io.Writer, src []byte, revision uint64) error {
	if revision == 0 || len(src) == 0 {
		_, err := dst.Write(src)
		return err
	}
	rd := bytes.NewReader(src)
	r := chproto.NewReader(rd)
	ctx := &column.ServerContext{Revision: revision, VersionMajor: 26, VersionMinor: 7, Timezone: time.UTC}
	var buf chproto.Buffer
	for {
		block := proto.Block{ServerContext: ctx}
		if err := block.Decode(r, 0); err != nil {
			if errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return nil
			}
			return fmt.Errorf("chdb: decode native block: %w", err)
		}
		buf.Reset()
		if err := block.Encode(&buf, revision); err != nil {
			return fmt.Errorf("chdb: encode native block: %w", err)
		}
		if _, err := dst.Write(buf.Buf); err != nil {
			return err
		}
	}
}
