//go:build unix

package outfile

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives the temporary file the owner and group of the file it replaces, where the process may (root
// writing over another user's report). A failure leaves the temporary file owned by the writer, which is safe.
func keepOwner(tmp *os.File, existing fs.FileInfo) {
	st, ok := existing.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	if int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid() {
		return
	}
	_ = tmp.Chown(int(st.Uid), int(st.Gid))
}
