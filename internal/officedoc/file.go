package officedoc

import (
	"fmt"
	"os"
)

// WriteFile writes a rendered document (a PDF, a DOCX, an XLSX, HTML) to
// the file path, whole or not at all: the data goes to path+".tmp" first,
// which is renamed over path only once complete, so a failed write leaves
// no partial file and an existing file as it was. The error names path.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
